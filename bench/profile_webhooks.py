"""CPU per webhook in process: whole calls through the Flask test client, PostgreSQL.

Run from the repository root:  python bench/profile_webhooks.py [--calls 100] [--profile]

Places `--calls` whole calls to a 3-question interview (the webhooks of
bench/webhook_load.py's whole-call load, each call a different candidate) through the
app in this process against a scratch PostgreSQL database, and prints the CPU time
(time.process_time: this process only, so PostgreSQL's own work is not in it) per
webhook route, median and mean in ms, and per whole call. With --profile, cProfile's
top functions by cumulative time over the same calls. CPU seconds, not wall time: the
figure moves little with what else the machine runs, so two versions of the code can be
compared one after the other (run each twice, interleaved).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import webhook_load  # noqa: E402
from common import NUMBER, bench_settings, caller_phone, redis_database, scratch_database  # noqa: E402
from common import seed_callers as seed  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from dashboard.app import create_app  # noqa: E402

WARM_UP = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="whole calls measured")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, redis_database() as redis_url:
        folder = Path(tmp)
        with scratch_database("postgresql", folder) as url:
            seed(url, 2 + WARM_UP + options.calls, questions=3)
            settings = bench_settings(url, folder, redis_url=redis_url)
            app = create_app(settings)
            steps = webhook_load.call_steps(app, settings, caller_phone(0), NUMBER)
            client = app.test_client()
            validator = RequestValidator(settings.twilio_auth_token)

            def requests_of(caller: str) -> list[tuple[str, str, dict, str]]:
                base = webhook_load.call_fields(
                    settings.twilio_account_sid, "CA" + uuid.uuid4().hex, caller, NUMBER
                )
                recording = "RE" + uuid.uuid4().hex[:31]
                out = []
                for url, extra in steps:
                    fields = {
                        **base,
                        **{k: v.replace("{recording}", recording) for k, v in extra.items()},
                    }
                    parts = urlsplit(url)
                    path = parts.path + (f"?{parts.query}" if parts.query else "")
                    out.append((parts.path, path, fields, validator.compute_signature(url, fields)))
                return out

            calls = [requests_of(caller_phone(1 + n)) for n in range(WARM_UP + options.calls)]
            per_route: dict[str, list[float]] = {}
            profiler = cProfile.Profile() if options.profile else None
            for index, call in enumerate(calls):
                measured = index >= WARM_UP
                if measured and profiler:
                    profiler.enable()
                for route, path, fields, signature in call:
                    started = time.process_time()
                    response = client.post(
                        path, data=fields, headers={"X-Twilio-Signature": signature}
                    )
                    spent = time.process_time() - started
                    if response.status_code not in (200, 204):
                        raise SystemExit(f"{path} answered {response.status_code}")
                    if measured:
                        per_route.setdefault(route, []).append(spent * 1000)
                if measured and profiler:
                    profiler.disable()
            app.extensions["screenline"].close()
    total = 0.0
    print(f"CPU per webhook, ms, over {options.calls} calls (median, mean, count per call):")
    for route, values in per_route.items():
        count = len(values) // options.calls
        total += sum(values) / options.calls
        median, mean = statistics.median(values), statistics.mean(values)
        print(f"  {route:<22} {median:6.2f} {mean:6.2f}  x{count}")
    print(f"  whole call: {total:.1f} ms")
    if profiler:
        order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime: self time
        pstats.Stats(profiler).sort_stats(order).print_stats(45)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
