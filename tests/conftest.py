"""Shared fixtures: a migrated database on SQLite and, when configured, PostgreSQL.

``CUSTOMS_TEST_POSTGRES_URL`` (set by .ci/run) adds the PostgreSQL variant of every database
test. Under CI a missing PostgreSQL is an error, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, text

from clearance.store.counters import forget_sequences
from clearance.store.migrate import upgrade
from clearance.store.schema import Base
from core.clock import FixedClock
from core.db import make_engine
from tests.offices_support import load_sample_offices

POSTGRES_URL = os.environ.get("CUSTOMS_TEST_POSTGRES_URL")
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "edifact"
#: The instant every golden file was produced at.
GOLDEN_INSTANT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _backends() -> list[str]:
    if POSTGRES_URL:
        return ["sqlite", "postgresql"]
    if os.environ.get("CI"):
        raise RuntimeError("CI=true but CUSTOMS_TEST_POSTGRES_URL is not set")
    return ["sqlite"]


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine]:
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:  # a clean schema for this run
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=_backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database (a fresh SQLite file, or truncated PostgreSQL tables), empty but
    for the sample customs offices (none for a test marked ``no_offices``): declarations are
    numbered only for registered offices (tests/offices_support.py)."""
    offices = request.node.get_closest_marker("no_offices") is None
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        if offices:
            load_sample_offices(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("_postgres_engine")
    _truncate(eng, Base.metadata)
    if offices:
        load_sample_offices(eng)
    yield eng


def _truncate(engine: Engine, metadata: MetaData) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # The counters' sequences (ADR 0013) start again too: numbers from 1, as on SQLite.
        conn.execute(text(DROP_COUNTER_SEQUENCES))
    forget_sequences(engine)


DROP_COUNTER_SEQUENCES = """
DO $$
DECLARE s record;
BEGIN
  FOR s IN SELECT sequencename FROM pg_sequences
           WHERE schemaname = current_schema() AND sequencename LIKE 'counter:%'
  LOOP
    EXECUTE format('DROP SEQUENCE %I', s.sequencename);
  END LOOP;
END $$
"""


@pytest.fixture
def clock() -> FixedClock:
    """The clock the golden files were made with."""
    return FixedClock(GOLDEN_INSTANT)
