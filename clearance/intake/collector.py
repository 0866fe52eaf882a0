"""The cyclic garbage collector and what a processing process keeps for its whole life.

A process that processes interchanges holds, from its first interchange on, some 175,000
objects that live as long as it does: the modules, the compiled statements, the risk ruleset,
and the reference data parsed once per version and kept per process (the registry snapshots of
:mod:`clearance.decisions.registry_store`, the tariff schedules of
:mod:`clearance.assessment.tariff_store`; neither cache ever lets a version go). Every full
collection of the cyclic collector walked all of them again: 150 ms of CPU a time, once every
few hundred one-declaration interchanges, about 0.4 ms per interchange (ADR 0006, stop 25),
although nothing among them ever becomes garbage.

:func:`settle_long_lived` therefore moves what is alive once an interchange's unit of work has
ended into the collector's permanent generation (``gc.freeze``), after a full collection (so no
garbage is frozen), the first time in the process and again whenever a new registry version or
tariff schedule was parsed. It does so only in a process that took the garbage-collector policy at
start-up (:func:`core.runtime.settle_heap`: ``customs serve``, ``worker``, ``scheduler``;
``CUSTOMS_GC_FREEZE``, on by default), so one setting governs both freezes and a short command or a
test process is left as the interpreter made it. Frozen objects are still freed by reference
counting; what freezing gives up is collecting a frozen object that later becomes part of an
unreachable cycle, which the process-wide caches above never let happen to what they hold. What
else was alive at that moment (a pool's connection records, a statement cache's entries) is bounded
by what one freeze saw, and freezes happen once per reference version.
"""

from __future__ import annotations

import gc

from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from core.runtime import heap_settled

#: The reference versions parsed when the process last settled (None: never).
_SETTLED_AT: list[tuple[int, int] | None] = [None]


def settle_long_lived() -> bool:
    """Freeze what is alive now if this process keeps the collector policy and nothing was
    frozen since start-up or a registry version or tariff schedule was parsed since; whether
    it did. Call it between interchanges, with no unit of work open."""
    if not heap_settled():
        return False
    versions = (registry_store.parsed_versions(), tariff_store.parsed_versions())
    if versions == _SETTLED_AT[0]:
        return False
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _SETTLED_AT[0] = versions
    return True


__all__ = ["settle_long_lived"]
