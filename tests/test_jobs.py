"""Every declared job exists under its declared name, bound to that one declaration."""

from __future__ import annotations

import importlib

import pytest

from ivr.jobs import ALL, ALL_QUEUES
from workers.queues import ref_of


@pytest.mark.parametrize("ref", ALL, ids=lambda ref: ref.name)
def test_declared_names_import_and_are_bound_to_their_declaration(ref):
    """A renamed job fails here rather than in a worker at run time."""
    module_name, func_name = ref.name.rsplit(".", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    assert ref_of(func) is ref
    assert ref.queue in ALL_QUEUES  # a worker listens on it by default
