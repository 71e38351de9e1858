"""The hiring manager's web app, and the `screenline` command line."""
