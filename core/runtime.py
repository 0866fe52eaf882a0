"""The process-wide garbage-collector policy of the long-running front doors.

``customs serve`` (the uvicorn factory), ``customs worker`` and ``customs scheduler`` call
:func:`settle_heap` once, when the process is built and before it takes work.

Why. Such a process holds many long-lived objects from start to end: the imported modules,
FastAPI's routes and pydantic's validators, SQLAlchemy's mappers and compiled statements,
the reference data and rule sets the :class:`~clearance.app.Application` loads. CPython's
collector traverses every one of them on each full (generation 2) pass, and a pass falls due
every few hundred requests: 86-96 ms each on PostgreSQL, about 0.3 ms a request on average
and 5-9 ms on the request that triggers it (docs/api.md, Figures, stop 24). ``gc.freeze()``
moves what exists after start-up into a permanent generation the collector never visits
again; garbage made afterwards is still found and freed. Collecting once before freezing
keeps start-up's garbage out of the frozen set (it would never be freed otherwise).

The young generation's threshold (700 allocations by default) is raised as well when
``CUSTOMS_GC_GEN0_THRESHOLD`` says so: fewer young passes, each over more objects
(docs/adr/0006-pipeline-throughput.md, stop 25: what it was measured to bring).

Operators turn the policy off with ``CUSTOMS_GC_FREEZE=false`` (the interpreter's defaults
then hold, as before stop 25).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from core.settings import Settings

#: Whether this process took the policy (:func:`heap_settled`).
_SETTLED: list[bool] = [False]


def heap_settled() -> bool:
    """Whether this process froze its start-up heap (a long-running front door with
    ``gc_freeze``): the pipeline then freezes again what its first interchange and each new
    reference version leave alive (:mod:`clearance.intake.collector`)."""
    return _SETTLED[0]


@dataclass(frozen=True)
class HeapPolicy:
    """What :func:`settle_heap` did: objects frozen and the thresholds in force after it."""

    frozen: int
    thresholds: tuple[int, int, int]


def settle_heap(settings: Settings) -> HeapPolicy:
    """Apply the garbage-collector policy of ``settings`` to this process (once, after build).

    With ``gc_freeze`` (the default): collect start-up's garbage, then freeze every object
    left, so that full collections no longer traverse them; with ``gc_gen0_threshold`` set,
    use it as the young generation's threshold. Without ``gc_freeze`` nothing changes.
    """
    if settings.gc_freeze:
        _SETTLED[0] = True
        gc.collect()
        gc.freeze()
        if settings.gc_gen0_threshold is not None:
            _, older, oldest = gc.get_threshold()
            gc.set_threshold(settings.gc_gen0_threshold, older, oldest)
    first, second, third = gc.get_threshold()
    return HeapPolicy(frozen=gc.get_freeze_count(), thresholds=(first, second, third))
