"""gunicorn settings for `screenline serve`: web processes share their Prometheus samples
and stop without deadlocking.

Read by gunicorn's master before any web process starts or imports the app, so the
samples folder (config/multiprocess.py) is set before prometheus_client is imported.
"""

import signal

from config.multiprocess import share_metrics
from config.settings import load_settings

share_metrics(load_settings().metrics_dir)


def child_exit(server, worker):
    """A web process ended: drop its live gauges from the shared samples."""
    from config.metrics import process_exited

    process_exited(worker.pid)


def post_worker_init(worker):
    """A web process stops on SIGINT and SIGQUIT as on SIGTERM: it finishes the requests
    under way (up to gunicorn's graceful timeout, 30 s) and exits.

    gunicorn 27's threaded worker answers SIGINT and SIGQUIT by shutting its thread pool
    down inside the signal handler. When the signal lands while the process's main thread
    is handing a new connection to the pool, the handler waits for the pool's lock that
    the interrupted code holds, for ever: the process keeps its port and answers nothing
    (seen with gdb after Ctrl-C, which sends SIGINT to master and web processes alike; the
    master then sends SIGQUIT). The SIGTERM handler only flags the main loop to stop, which
    then shuts the pool down outside any handler. tests/dashboard/test_serve_stop.py.
    """
    signal.signal(signal.SIGINT, worker.handle_exit)
    signal.signal(signal.SIGQUIT, worker.handle_exit)


# The longest request line (method, URL, protocol) gunicorn passes on: its most, 8190
# bytes, not its default 4094, so that a long address (a search typed into the address
# bar) reaches the app and gets the dashboard's own page, not gunicorn's bare "URI Too
# Long". 0 (unlimited) would let any client make a process buffer a megabyte per line.
limit_request_line = 8190
