"""gunicorn settings for `screenline serve`: web processes share their Prometheus samples.

Read by gunicorn's master before any web process starts or imports the app, so the
samples folder (config/multiprocess.py) is set before prometheus_client is imported.
"""

from config.multiprocess import share_metrics
from config.settings import load_settings

share_metrics(load_settings().metrics_dir)


def child_exit(server, worker):
    """A web process ended: drop its live gauges from the shared samples."""
    from config.metrics import process_exited

    process_exited(worker.pid)
