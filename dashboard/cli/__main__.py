"""`python -m dashboard.cli`: the same as the `screenline` command."""

from dashboard.cli import main

main()
