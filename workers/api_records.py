"""Housekeeping for the REST API: Idempotency-Key records past their keeping time."""

from __future__ import annotations

import logging

from voice.apikeys import purge_idempotency_records
from voice.db import unit_of_work
from workers.context import current

log = logging.getLogger(__name__)

IDEMPOTENCY_PURGE_INTERVAL = 3600  # seconds between purges


def purge_idempotency() -> int:
    """Delete expired Idempotency-Key records (a worker duty); return how many."""
    with unit_of_work(current().session_factory) as session:
        count = purge_idempotency_records(session)
        session.commit()
    if count:
        log.info("purged %d expired idempotency records", count)
    return count
