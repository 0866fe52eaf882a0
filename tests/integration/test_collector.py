"""A settling pipeline sets what outlives its units of work aside from the cyclic collector.

``Settings.settle_long_lived`` (ADR 0006, stop 25): after the first interchange's unit of work
and after each one that parsed a new registry version, what is alive is frozen
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

from clearance.decisions import registry_store
from clearance.intake import collector
from clearance.intake.pipeline import Pipeline
from core.settings import Settings
from tests.integration.test_controls_support import CONTROLS, INSTANT, REGISTRY_FILES, prepare

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    # The snapshots are kept per process by content: parsed here again, whichever test
    # (or backend) parsed the same version before.
    registry_store._CACHE.clear()
    collector._SETTLED_AT[0] = -1
    yield
    gc.unfreeze()
    collector._SETTLED_AT[0] = -1


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
    pipeline = Pipeline.standard(engine, Settings(settle_long_lived=True), clock)
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


def test_off_by_default_nothing_is_frozen(engine: Engine) -> None:
    clock = prepare(engine)
    Pipeline.standard(engine, Settings(), clock).submit(_sample(1))
    assert gc.get_freeze_count() == 0
