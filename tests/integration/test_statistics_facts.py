"""Statistical facts follow the event log: released items are counted once, an invalidation
after release withdraws them with a revision, and published cells that change are flagged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Actor, Application, NotPermittedError, Role
from clearance.app import statistics as stats
from clearance.intake.pipeline import Pipeline
from clearance.store.statistics_tables import StatFact, StatRevision
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.invalidation_support import (
    changed,
    export_with_licence,
    prepare_export,
    release,
)
from tests.integration.test_controls_support import INSTANT

pytestmark = pytest.mark.db

STATISTICIAN = Actor("S1", Role.STATISTICIAN)
CLEARED = Actor("S2", Role.STATISTICIAN, grants=frozenset({"statistics_unprotected"}))


def _released_export(engine: Engine, tmp_path: Path) -> str:
    prepare_export(engine, tmp_path)
    pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
    (d,) = pipeline.submit(export_with_licence()).declarations
    assert d.number is not None
    release(engine, d.number, INSTANT, Settings())
    return d.number


def _facts(engine: Engine, number: str) -> list[StatFact]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(StatFact)
                .where(StatFact.declaration_number == number)
                .order_by(StatFact.item_sequence)
            )
        )


def test_a_released_export_is_counted_once_on_its_release_date(
    engine: Engine, tmp_path: Path
) -> None:
    number = _released_export(engine, tmp_path)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    first = stats.refresh(app, LOCAL_OPERATOR)
    assert first.declarations == 1 and first.counted >= 1
    again = stats.refresh(app, LOCAL_OPERATOR)  # nothing new: nothing counted twice
    assert (again.counted, again.revised, again.cursor) == (0, 0, first.cursor)
    facts = _facts(engine, number)
    assert len(facts) == first.counted
    fact = facts[0]
    assert fact.flow == "X" and fact.counted and fact.revision == 0
    local_day = INSTANT.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert fact.stat_date == local_day and fact.period == local_day.year * 100 + local_day.month
    # USD at the day's official rate: the item was declared in USD, so CNY / rate gives it back.
    assert fact.value_usd is not None and fact.value_cny > fact.value_usd > 0
    assert fact.region == f"{fact.trader[2:4]}0000"


def test_invalidation_after_release_withdraws_with_a_revision_and_flags_published_cells(
    engine: Engine, tmp_path: Path
) -> None:
    number = _released_export(engine, tmp_path)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    stats.refresh(app, LOCAL_OPERATOR)
    (fact, *_) = _facts(engine, number)
    period = f"{fact.period // 100}-{fact.period % 100:02d}"
    stats.publish(app, LOCAL_OPERATOR, period, final=False)
    request = stats.TableRequest(rows="flow", unprotected=True)
    before = stats.table(app, CLEARED, request)
    assert all("revised" not in c["flags"] for c in before.cells)
    assert all("provisional" in c["flags"] for c in before.cells)

    later = FixedClock(INSTANT + timedelta(days=10))
    pipeline = Pipeline.standard(engine, Settings(), later)
    (d,) = pipeline.submit(changed(export_with_licence(), number, "1", "CAN1")).declarations
    assert d.status == "invalidated"
    done = stats.refresh(Application(engine, Settings(), later), LOCAL_OPERATOR)
    assert done.withdrawn == len(_facts(engine, number)) and done.counted == 0

    facts = _facts(engine, number)
    assert all(not f.counted and f.revision == 1 for f in facts)
    with Session(engine) as session:
        revisions = session.scalars(
            select(StatRevision).where(StatRevision.declaration_number == number)
        ).all()
    assert {r.reason for r in revisions} == {"invalidated"}
    assert all(r.value_cny_after == Decimal(0) and r.value_cny_before > 0 for r in revisions)

    after = stats.table(app, CLEARED, request)
    export_cell = next(c for c in after.cells if c["row"] == "X")
    assert "revised" in export_cell["flags"] and export_cell["value_cny"] == "0.00"


def test_who_sees_which_table(engine: Engine) -> None:
    app = Application(engine, Settings(), FixedClock(INSTANT))
    protected = stats.table(app, STATISTICIAN, stats.TableRequest(rows="flow"))
    assert protected.protected
    with pytest.raises(NotPermittedError):
        stats.table(app, STATISTICIAN, stats.TableRequest(rows="flow", unprotected=True))
    trader = Actor("T", Role.TRADER, party_ids=frozenset({"X"}))
    with pytest.raises(NotPermittedError):
        stats.table(app, trader, stats.TableRequest(rows="flow"))
    with pytest.raises(NotPermittedError):
        stats.refresh(app, STATISTICIAN)
    assert stats.table(app, CLEARED, stats.TableRequest(rows="flow", unprotected=True)).cells


def test_a_trader_sees_only_its_own_records(engine: Engine, tmp_path: Path) -> None:
    number = _released_export(engine, tmp_path)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    stats.refresh(app, LOCAL_OPERATOR)
    trader = _facts(engine, number)[0].trader
    own = stats.own_records(app, Actor("T1", Role.TRADER, party_ids=frozenset({trader})))
    assert {r.declaration_number for r in own} == {number}
    other = Actor("T2", Role.TRADER, party_ids=frozenset({"91310000MA1FL0000X"}))
    assert stats.own_records(app, other) == []
    with pytest.raises(NotPermittedError):  # statisticians see aggregates, never one record
        stats.own_records(app, STATISTICIAN)
