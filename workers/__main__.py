"""Run a worker: `python -m workers --help`."""

import contextlib
import sys

from config.multiprocess import share_metrics
from config.settings import ConfigError, load_settings

# Before prometheus_client is imported: this machine's shared samples folder. A bad
# setting is reported by main().
with contextlib.suppress(ConfigError):
    share_metrics(load_settings().metrics_dir)

from workers.main import main

sys.exit(main())
