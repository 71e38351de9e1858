"""A byte relay between TCP and Unix-domain sockets, for the multi-host test.

Network namespaces separate TCP/IP, not the file system: a Unix socket file is reachable
from every namespace. The test's own process relays `unix:<dir>/pg.sock` and
`unix:<dir>/redis.sock` to the machine's PostgreSQL and Redis on 127.0.0.1; inside each
namespace a relay process listens on that namespace's own 127.0.0.1:5432 and :6379 and
forwards to those files. No address is added outside the test's namespaces.

Run as `python -m tests.multihost.relay LISTEN=CONNECT ...`, each endpoint `tcp:HOST:PORT`
or `unix:PATH`; it prints "ready" once listening.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _open(endpoint: str):
    kind, _, rest = endpoint.partition(":")
    if kind == "unix":
        return await asyncio.open_unix_connection(rest)
    host, _, port = rest.rpartition(":")
    return await asyncio.open_connection(host, int(port))


async def _listen(listen: str, connect: str):
    async def handle(reader, writer):
        try:
            upstream_reader, upstream_writer = await _open(connect)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    kind, _, rest = listen.partition(":")
    if kind == "unix":
        with contextlib.suppress(FileNotFoundError):
            os.unlink(rest)
        server = await asyncio.start_unix_server(handle, path=rest)
        return server
    host, _, port = rest.rpartition(":")
    return await asyncio.start_server(handle, host, int(port))


def parse(routes: list[str]) -> list[tuple[str, str]]:
    """["tcp:127.0.0.1:5432=unix:/x/pg.sock", ...] -> [(listen, connect), ...]."""
    pairs = [tuple(route.split("=", 1)) for route in routes]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        raise SystemExit("usage: relay LISTEN=CONNECT ... (endpoints tcp:HOST:PORT or unix:PATH)")
    return pairs  # type: ignore[return-value]


class RelayThread:
    """The relay in a daemon thread of this process; `stop()` closes it."""

    def __init__(self, routes: list[tuple[str, str]]):
        self.routes = routes
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RelayThread:
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("relay did not start")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        servers = [self.loop.run_until_complete(_listen(a, b)) for a, b in self.routes]
        self.ready.set()
        self.loop.run_forever()
        for server in servers:
            server.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _main(routes: list[tuple[str, str]]) -> None:
    servers = [await _listen(a, b) for a, b in routes]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(_main(parse(sys.argv[1:])))
