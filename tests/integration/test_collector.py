"""A settling pipeline sets what outlives its units of work aside from the cyclic collector.

In a process that froze its start-up heap (``core.runtime.settle_heap``, the long-running front
doors with ``CUSTOMS_GC_FREEZE``; ADR 0006, stop 25): after the first interchange's unit of work
and after each one that parsed a new registry version or tariff schedule, what is alive is frozen
(:mod:`clearance.intake.collector`), so the collector's full collections stop walking the
reference data again; answers do not change. ``gc.freeze`` is process-wide: every test here
starts and ends unfrozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.intake import collector
from clearance.intake.pipeline import Pipeline
from core import runtime
from core.runtime import settle_heap
from core.settings import Settings
from tests.integration.test_controls_support import CONTROLS, INSTANT, REGISTRY_FILES, prepare

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    # The snapshots are kept per process by content: parsed here again, whichever test
    # (or backend) parsed the same version before.
    registry_store._CACHE.clear()
    collector._SETTLED_AT[0] = None
    yield
    gc.unfreeze()
    collector._SETTLED_AT[0] = None
    runtime._SETTLED[0] = False


def _long_running() -> None:
    """What ``customs worker`` does once built: the policy taken, start-up frozen."""
    settle_heap(Settings())


def _sample(n: int) -> bytes:
    (path,) = sorted(CONTROLS.glob(f"{n:02d}-*.edi"))
    return path.read_bytes()


def _frozen(thing: object) -> bool:
    # gc.get_objects() lists the three generations, not the permanent one.
    return gc.is_tracked(thing) and not any(o is thing for o in gc.get_objects())


def test_what_outlives_the_first_interchange_is_frozen_then_only_on_a_new_registry_version(
    engine: Engine,
) -> None:
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    _long_running()
    kept = [object()]  # alive before and after: a stand-in for what the process keeps
    pipeline.submit(_sample(1))
    first = gc.get_freeze_count()
    assert first > 0
    assert _frozen(kept)
    with Session(engine) as session:
        _, registries = registry_store.latest(session)
    assert _frozen(registries)  # the snapshot in force, parsed by that interchange

    pipeline.submit(_sample(3))  # the same registry version: nothing frozen again
    second = gc.get_freeze_count()
    assert second <= first  # (frozen objects freed by reference counting leave the count)

    with Session(engine) as session:  # a new version in force: parsed, then frozen
        registry_store.load_files(session, REGISTRY_FILES[:-1], INSTANT)
        session.commit()
    pipeline.submit(_sample(4))
    assert gc.get_freeze_count() > second


def test_a_process_without_the_policy_freezes_nothing(engine: Engine) -> None:
    clock = prepare(engine)  # a CLI command or a test: settle_heap never called
    Pipeline.standard(engine, Settings(), clock).submit(_sample(1))
    assert gc.get_freeze_count() == 0


def test_a_new_tariff_schedule_is_settled_too(engine: Engine) -> None:
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    _long_running()
    pipeline.submit(_sample(1))
    collector._SETTLED_AT[0] = (registry_store.parsed_versions(), -1)  # as if one were new
    gc.unfreeze()
    pipeline.submit(_sample(3))
    assert gc.get_freeze_count() > 0
    assert collector._SETTLED_AT[0] == (
        registry_store.parsed_versions(),
        tariff_store.parsed_versions(),
    )
