"""Background jobs on RQ: fetch each recording, normalise it, transcribe it; the worker CLI."""
