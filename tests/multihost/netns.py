"""Network namespaces made (and removed) by the multi-host test itself.

One namespace per host plus a switch: each host gets a veth pair whose other end is
on a bridge in the switch namespace, and a link-local address (169.254.77.0/24) on its
`eth0`. Nothing is added to the machine's own namespace, and no traffic leaves the
machine. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "169.254.77"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


def unavailable() -> str | None:
    """Why namespaces cannot be made here (None when they can)."""
    if shutil.which("ip") is None:
        return "iproute2's `ip` command is not installed"
    probe = f"sl-probe-{uuid.uuid4().hex[:8]}"
    try:
        _ip("netns", "add", probe)
    except subprocess.CalledProcessError as exc:
        return f"`ip netns add` is not permitted here: {exc.stderr.strip()}"
    try:
        _ip("-n", probe, "link", "add", "br0", "type", "bridge")
    except subprocess.CalledProcessError as exc:
        return f"cannot make a bridge inside a namespace: {exc.stderr.strip()}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True, check=False)
    return None


@dataclass
class Hosts:
    """Host name -> (namespace, address); `run` starts a process inside one."""

    prefix: str
    addresses: dict[str, str] = field(default_factory=dict)

    def namespace(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def command(self, host: str, argv: list[str]) -> list[str]:
        """argv run inside the host's namespace (ip netns exec execs it: same process)."""
        return ["ip", "netns", "exec", self.namespace(host), *argv]


@contextmanager
def hosts(names: list[str]) -> Iterator[Hosts]:
    """Make a namespace per name on one switch; remove them all afterwards."""
    made = Hosts(prefix=f"sl{uuid.uuid4().hex[:6]}")
    switch = made.namespace("sw")
    created = []
    try:
        _ip("netns", "add", switch)
        created.append(switch)
        _ip("-n", switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", switch, "link", "set", "br0", "up")
        for number, name in enumerate(names, start=2):
            ns = made.namespace(name)
            _ip("netns", "add", ns)
            created.append(ns)
            port = f"v{number}"
            _ip(
                "-n",
                switch,
                "link",
                "add",
                port,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                ns,
            )
            _ip("-n", switch, "link", "set", port, "master", "br0", "up")
            address = f"{SUBNET}.{number}"
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            made.addresses[name] = address
        yield made
    finally:
        for ns in reversed(created):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def namespaces_left(prefix: str) -> list[str]:
    """The test's namespaces still present (none after teardown)."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    return [line.split()[0] for line in listed.stdout.splitlines() if line.startswith(prefix)]


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"
