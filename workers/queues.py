"""Binding job functions to their one declaration in ivr/jobs.py.

Queue names and job declarations live in ivr/jobs.py, where the web reads them too;
enqueueing is `Resources.enqueue` (ivr/resources.py), the same for web and workers.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.jobs import ALL_QUEUES, MESSAGES, RECORDINGS, TRANSCRIBE, JobRef

__all__ = ["ALL_QUEUES", "MESSAGES", "RECORDINGS", "TRANSCRIBE", "dotted_name", "job", "ref_of"]


def dotted_name(func: Callable) -> str:
    """`package.module.function`: the name RQ imports a job by."""
    return f"{func.__module__}.{func.__qualname__}"


def job(ref: JobRef) -> Callable[[Callable], Callable]:
    """Bind a function to its declaration; raises TypeError if the names differ."""

    def declare(func: Callable) -> Callable:
        if dotted_name(func) != ref.name:
            raise TypeError(f"{dotted_name(func)} is declared as {ref.name}")
        func.ref = ref  # type: ignore[attr-defined]
        return func

    return declare


def ref_of(func: Callable) -> JobRef:
    """The declaration a job function was bound to; raises TypeError for an undeclared one."""
    ref = getattr(func, "ref", None)
    if not isinstance(ref, JobRef):
        raise TypeError(f"{func.__qualname__} is not declared with @job")
    return ref
