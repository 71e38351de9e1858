"""Webhook load for bench_scale.py: the servers compared, the signed requests wrk sends,
and one wrk run.

Two loads, each posted by wrk with valid X-Twilio-Signature headers made in advance:

- first webhooks: `/ivr/voice` with a new CallSid each request (the first webhook of a
  new call), cycled by 2 wrk threads over all the connections;
- whole calls: every webhook of a call in the order Twilio sends them (voice, consent,
  then per question the question, the record action and the recording status callback,
  then the call's status callback), with one wrk thread per connection, so that each
  connection is one caller's line, one request at a time. The steps are found by placing
  one call through the app in process (`call_steps`), and each call of the load is a
  different candidate calling from their own number.

The servers, all under the same gunicorn settings as `screenline serve`: Screenline; bare
Flask answering every `/ivr/...` path with constant TwiML; and for first webhooks two
floors, Flask with raw psycopg doing the first webhook's own database work and nothing
else: the same statements Screenline sends (signature check, SELECT the call FOR UPDATE,
SELECT the interview, SELECT the candidate by caller ID (a finished one is told so before
consent), INSERT, COMMIT), and all of it in one statement (one round trip, in autocommit),
the least any first webhook that keeps its call could cost.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

FIRST_WEBHOOK_THREADS = 2
PRESIGNED = 20_000  # distinct first webhooks per run (a new CallSid each)

BARE_APP = """
from flask import Flask, Response

app = Flask(__name__)
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello.</Say></Response>'


@app.post("/ivr/<path:step>")
def webhook(step):
    return Response(TWIML, mimetype="text/xml")
"""

FLOOR_APP = """
import os
import threading
from datetime import UTC, datetime

import psycopg
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from voice.models import Call

app = Flask(__name__)
DATABASE = os.environ["SCREENLINE_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
PUBLIC_URL = os.environ["SCREENLINE_PUBLIC_URL"]
ONE_STATEMENT = os.environ.get("FLOOR_ONE_STATEMENT") == "1"
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
connections = threading.local()
# Every column of the calls row, as the ORM would fill it for a new call.
DEFAULTS = {
    c.name: (c.default.arg if c.default is not None and c.default.is_scalar else None)
    for c in Call.__table__.columns
    if c.name not in ("id", "interview_id")
}
COLUMNS = ", ".join(DEFAULTS)
VALUES = ", ".join(["%s"] * len(DEFAULTS))
INSERT = f"INSERT INTO calls (interview_id, {COLUMNS}) VALUES (%s, {VALUES})"
# The candidate the caller ID finds (at most two read: a shared number finds no one).
BY_CALLER_ID = (
    "SELECT id, status FROM candidates WHERE interview_id = %s AND phone = %s "
    "AND erasure_requested_at IS NULL LIMIT 2"
)
# One round trip: find the interview and the caller, insert the call unless its CallSid
# is known.
INSERT_FOR_NUMBER = (
    "WITH found AS (SELECT id, title FROM interviews WHERE phone_number = %s), "
    "caller AS (SELECT c.status FROM candidates c, found WHERE c.interview_id = found.id "
    "AND c.phone = %s AND c.erasure_requested_at IS NULL LIMIT 2), "
    f"made AS (INSERT INTO calls (interview_id, {COLUMNS}) SELECT found.id, {VALUES} "
    "FROM found ON CONFLICT (call_sid) DO NOTHING RETURNING id) "
    "SELECT found.title, (SELECT id FROM made), (SELECT count(*) FROM caller) FROM found"
)


def connection():
    if not hasattr(connections, "db"):
        connections.db = psycopg.connect(DATABASE, autocommit=ONE_STATEMENT)
    return connections.db


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/ivr/voice")
def voice():
    form = request.form
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(PUBLIC_URL + "/ivr/voice", form.to_dict(), signature):
        return Response(status=403)
    row = dict(DEFAULTS, call_sid=form["CallSid"], from_number=form["From"],
               to_number=form["To"], status=form["CallStatus"], direction=form["Direction"],
               started_at=datetime.now(UTC).replace(tzinfo=None))
    db = connection()
    if ONE_STATEMENT:
        title, _, _ = db.execute(
            INSERT_FOR_NUMBER, [form["To"], form["From"], *row.values()]
        ).fetchone()
    else:
        with db.transaction():
            known = db.execute(
                "SELECT id FROM calls WHERE call_sid = %s FOR UPDATE", (form["CallSid"],)
            ).fetchone()
            interview_id, title = db.execute(
                "SELECT id, title FROM interviews WHERE phone_number = %s", (form["To"],)
            ).fetchone()
            db.execute(BY_CALLER_ID, (interview_id, form["From"])).fetchall()
            if known is None:
                db.execute(INSERT, [interview_id, *row.values()])
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="%s/ivr/consent" '
        'numDigits="1"><Say>Welcome to your phone interview for %s.</Say></Gather></Response>'
    ) % (PUBLIC_URL, title)
    return Response(twiml, mimetype="text/xml")
"""

# Every script's threads: each numbered (`id`, from 0) and kept for `done`.
THREADS = """
threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
"""

# wrk's summary, printed by every script as one JSON line.
DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  local wrapped = 0
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") then wrapped = wrapped + 1 end
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "threads_out_of_calls": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), wrapped))
end
"""

FIRST_WEBHOOKS_SCRIPT = """
local bodies = {%(bodies)s}
local signatures = {%(signatures)s}
function init(args)
  n = 0
end
function request()
  local i = (id + n * %(threads)d) %% #bodies + 1
  n = n + 1
  return wrk.format("POST", "/ivr/voice", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[i],
  }, bodies[i])
end
""" + (THREADS + DONE).replace("%", "%%")

# Arguments after wrk's `--`: the requests file and the number of threads. Each line of
# the file is "call<TAB>path<TAB>signature<TAB>body", a call's lines in order; thread `id`
# keeps the calls numbered id, id + threads, ... and sends their requests in turn.
WHOLE_CALLS_SCRIPT = (
    """
function init(args)
  local count = tonumber(args[2])
  mine = {}
  for line in io.lines(args[1]) do
    local call, path, signature, body = line:match("^(%d+)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    if tonumber(call) % count == id then
      table.insert(mine, {path, signature, body})
    end
  end
  n = 0
  wrapped = false
end
function request()
  if n >= #mine then
    n = 0
    wrapped = true  -- this line has placed all its calls: the run was too long for them
  end
  n = n + 1
  local r = mine[n]
  return wrk.format("POST", r[1], {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[2],
  }, r[3])
end
"""
    + THREADS
    + DONE
)


def lua_string(text: str) -> str:
    """`text` as a double-quoted Lua string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def call_fields(account_sid: str, call_sid: str, caller: str, number: str) -> dict[str, str]:
    """The fields Twilio posts with every webhook of an inbound call from `caller`."""
    return {
        "CallSid": call_sid,
        "AccountSid": account_sid,
        "From": caller,
        "To": number,
        "Caller": caller,
        "Called": number,
        "CallStatus": "in-progress",
        "ApiVersion": "2010-04-01",
        "Direction": "inbound",
    }


def first_webhooks_script(folder: Path, public_url: str, account: str, token: str, number: str):
    """A wrk script cycling through PRESIGNED signed first webhooks to `number`, each a
    new CallSid, threads interleaved. Returns (script path, extra wrk arguments)."""
    validator = RequestValidator(token)
    bodies, signatures = [], []
    for n in range(PRESIGNED):
        fields = call_fields(account, "CA" + uuid.uuid4().hex, f"+1555700{n % 10000:04d}", number)
        fields["CallStatus"] = "ringing"
        bodies.append(lua_string(urlencode(fields)))
        signatures.append(
            lua_string(validator.compute_signature(f"{public_url}/ivr/voice", fields))
        )
    script = folder / f"first-webhooks-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(
        FIRST_WEBHOOKS_SCRIPT
        % {
            "bodies": ",".join(bodies),
            "signatures": ",".join(signatures),
            "threads": FIRST_WEBHOOK_THREADS,
        }
    )
    return script, []


def call_steps(app, settings, caller: str, number: str) -> list[tuple[str, dict[str, str]]]:
    """Place one whole call to `number` from `caller` through `app` in process, answering
    every question, and return its webhooks in order as (URL, fields beyond the call's).

    Each RecordingSid is "{recording}" followed by the answer's number (one hex digit), the
    placeholder standing for 33 characters of a real RecordingSid ("RE" and 31 more).
    Raises RuntimeError if a webhook fails or is answered with the apology, or if the call
    does not reach its goodbye.
    """
    from xml.etree import ElementTree

    from ivr.phrases import say

    apology = say(None, "internal_error")
    validator = RequestValidator(settings.twilio_auth_token)
    client = app.test_client()
    base = call_fields(settings.twilio_account_sid, "CA" + uuid.uuid4().hex, caller, number)
    steps: list[tuple[str, dict[str, str]]] = []
    recording_prefix = "RE" + uuid.uuid4().hex[:31]

    def post(url: str, **extra: str):
        fields = {**base, **extra}
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = validator.compute_signature(url, fields)
        response = client.post(path, data=fields, headers={"X-Twilio-Signature": signature})
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{url} answered {response.status_code}")
        template = {k: v.replace(recording_prefix, "{recording}") for k, v in extra.items()}
        steps.append((url, template))
        if response.status_code == 204:
            return None
        document = ElementTree.fromstring(response.data)  # noqa: S314 (our own app's reply)
        spoken = " ".join(element.text or "" for element in document.iter("Say"))
        if apology in spoken:
            raise RuntimeError(f"{url} was answered with the apology")
        return document

    document = post(settings.public_url + "/ivr/voice", CallStatus="ringing")
    for _ in range(100):  # a call's prompts are bounded (ivr.flow.step_limit)
        record = document.find("Record")
        if record is not None:
            answered = sum(1 for url, _ in steps if "/ivr/answer" in url)
            sid = f"{recording_prefix}{answered:x}"
            url = f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{sid}"
            recording = {"RecordingSid": sid, "RecordingUrl": url, "RecordingDuration": "7"}
            next_document = post(record.get("action"), Digits="#", **recording)
            post(record.get("recordingStatusCallback"), RecordingStatus="completed", **recording)
            document = next_document
        elif document.find("Gather") is not None:
            document = post(document.find("Gather").get("action"), Digits="1")
        elif document.find("Redirect") is not None:
            document = post(document.find("Redirect").text)
        elif document.find("Hangup") is not None:
            post(settings.public_url + "/ivr/status", CallStatus="completed", CallDuration="90")
            return steps
        else:
            raise RuntimeError(f"no next step in {ElementTree.tostring(document)!r}")
    raise RuntimeError("the call did not end within 100 prompts")


def whole_calls_script(
    folder: Path, settings, steps: list[tuple[str, dict[str, str]]], callers: list[str], number: str
):
    """A requests file of one whole call (`steps`) to `number` from each of `callers`, new
    CallSids and RecordingSids, and the wrk script that sends it. Returns (script, extra
    wrk arguments) for wrk_run; its thread count must be the connection count."""
    validator = RequestValidator(settings.twilio_auth_token)
    lines = []
    for n, caller in enumerate(callers):
        call_sid = "CA" + uuid.uuid4().hex
        recording = "RE" + uuid.uuid4().hex[:31]
        base = call_fields(settings.twilio_account_sid, call_sid, caller, number)
        for url, extra in steps:
            fields = {**base, **{k: v.replace("{recording}", recording) for k, v in extra.items()}}
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            signature = validator.compute_signature(url, fields)
            lines.append(f"{n}\t{path}\t{signature}\t{urlencode(fields)}")
    requests = folder / f"calls-{uuid.uuid4().hex[:6]}.tsv"
    requests.write_text("\n".join(lines) + "\n")
    script = folder / "whole-calls.lua"
    script.write_text(WHOLE_CALLS_SCRIPT)
    return script, [str(requests)]


def wrk_run(url: str, script: Path, args: list[str], connections: int, threads: int, seconds: int):
    """One wrk run; its summary as a dict with requests/s and latencies in ms."""
    out = subprocess.run(
        [
            *("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "15s"),
            *("-s", str(script), url, "--", *args, str(threads)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 180,
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "connections": connections,
        "requests": summary["requests"],
        "requests_per_s": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "errors": summary["socket_errors"] + summary["non_2xx"],
        "ran_out_of_calls": summary["threads_out_of_calls"] > 0,
    }
