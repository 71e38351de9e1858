"""Whether a server process can listen on host:port, asked before it starts.

gunicorn answers a port in use or an unknown host with five retries of error lines and
"Can't connect", and a port past 65535 with a traceback; the commands that start servers
(`screenline serve`, `screenline demo`, `python -m ivr.standin.api`) ask here first and
answer with one sentence instead.
"""

from __future__ import annotations

import errno
import socket

MIN_PORT, MAX_PORT = 1, 65535  # 0 would be "any free port", which no caller can find

_REASONS = {
    errno.EADDRINUSE: "the port is in use",
    errno.EACCES: "permission denied (ports below 1024 need root)",
    errno.EADDRNOTAVAIL: "the address is not one of this machine's",
}
# The problems another port would solve (a caller may then name its port option).
PORT_PROBLEMS = (_REASONS[errno.EADDRINUSE], _REASONS[errno.EACCES])


def listen_problem(host: str, port: int) -> str | None:
    """Why a server cannot listen on `host`:`port` (TCP), or None when it can.

    Resolves `host` as gunicorn does (IPv6 when it holds a colon, with or without
    brackets, else IPv4), binds a socket with SO_REUSEADDR (as gunicorn and werkzeug
    do, so a port left in TIME_WAIT counts as free) and closes it again. The answer is
    one sentence such as "cannot listen on 127.0.0.1:5000: the port is in use" or
    "cannot listen on nosuchhost.invalid:5000: unknown host". Raises nothing.
    """
    where = f"cannot listen on {host}:{port}"
    if not MIN_PORT <= port <= MAX_PORT:
        return f"{where}: a port is a number from {MIN_PORT} to {MAX_PORT}"
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # [::1]
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    try:
        infos = socket.getaddrinfo(bare, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        return f"{where}: unknown host"
    fam, kind, proto, _name, address = infos[0]
    try:
        with socket.socket(fam, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        reason = _REASONS.get(exc.errno) or (exc.strerror or str(exc)).lower()
        return f"{where}: {reason}"
    return None
