"""Every job the web enqueues by name exists, with the queue, timeout and retries it declares."""

from __future__ import annotations

import importlib

import pytest

from ivr.jobs import ALL
from workers.queues import ALL_QUEUES, spec_of


@pytest.mark.parametrize("ref", ALL, ids=lambda ref: ref.name)
def test_enqueued_names_import_and_match_their_declaration(ref):
    """A renamed or re-declared job fails here rather than in a worker at run time."""
    module_name, func_name = ref.name.rsplit(".", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    spec = spec_of(func)
    assert (spec.queue, spec.timeout, spec.retries) == (ref.queue, ref.timeout, ref.retries)
    assert ref.queue in ALL_QUEUES  # a worker listens on it by default
