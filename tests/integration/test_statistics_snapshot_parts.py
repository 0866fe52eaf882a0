"""The columnar copy is stored in parts (no blob near PostgreSQL's 1 GB at ten million facts)
and read back whole; synthetic facts reach the store by COPY on PostgreSQL, inserts on SQLite."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import statistics as stats
from clearance.statistics import columns
from clearance.store.statistics_tables import StatFact, StatSnapshot
from core.settings import Settings

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine) -> Application:
    return Application(engine, Settings(database_url=engine.url.render_as_string(False)))


def test_the_copy_is_stored_in_parts_and_read_back_whole(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(columns, "PART_ROWS", 300)
    stats.generate(application, LOCAL_OPERATOR, 1000, seed=4, first_period="2025-01", months=6)
    with Session(application.engine) as session:
        parts = session.scalars(select(StatSnapshot.part).order_by(StatSnapshot.part)).all()
        assert list(parts) == [0, 1, 2, 3]
        stored = columns.latest_snapshot(session)
        fresh = columns.read_facts(session)
        assert session.scalar(select(func.count()).select_from(StatFact)) == 1000
        total = session.scalar(select(func.sum(StatFact.value_cny)))
    assert stored.rows == 1000
    assert np.array_equal(stored.numbers["id"], fresh.numbers["id"])
    for name in columns.MEASURES:
        assert np.array_equal(stored.measures[name], fresh.measures[name])
    for name in ("trader", "hs", "partner"):
        as_stored = [stored.labels[name][k] for k in stored.codes[name]]
        as_read = [fresh.labels[name][k] for k in fresh.codes[name]]
        assert as_stored == as_read
    assert int(stored.measures["value_cny"].sum()) == round(float(total or 0) * 100)
