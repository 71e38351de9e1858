"""Run a worker: `python -m workers --help`."""

import sys

from workers.main import main

sys.exit(main())
