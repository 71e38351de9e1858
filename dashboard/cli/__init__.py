"""The `screenline` command line: one module per group of commands, all on `main`.

A new group of commands is a new module here, imported below so that its commands
register on `main`.
"""

from dashboard.cli import (  # noqa: F401 (registers)
    accounts,
    api_keys,
    audit,
    candidates,
    export,
    interviews,
    models,
    organisations,
    privacy,
    running,
    storage,
    webhooks,
)
from dashboard.cli.base import main
from dashboard.cli.running import gunicorn_args

__all__ = ["gunicorn_args", "main"]
