"""The receipt of a trader's bytes is committed durably on SQLite (its log synced at the commit).

In WAL mode SQLite's ``synchronous=NORMAL`` lets a commit roll back after a power loss; the
processing units keep it (what they write can be worked out again from the raw bytes), the
receipt does not: ``UnitOfWork(durable=True)`` runs it at ``synchronous=FULL``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from clearance.intake.pipeline import Pipeline
from clearance.store.migrate import upgrade
from core.clock import FixedClock
from core.db import UnitOfWork, make_engine, session_factory
from core.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "edifact" / "01-import-d96b.edi"
FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads back


def _level(engine: Engine, *, durable: bool) -> int:
    with UnitOfWork(session_factory(engine), durable=durable) as uow:
        level = uow.session.execute(text("PRAGMA synchronous")).scalar_one()
        uow.commit()
    return int(level)


def test_a_durable_unit_syncs_its_commit_and_the_next_unit_does_not(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    # The same pooled connection moves between the levels, each set before its BEGIN.
    assert _level(engine, durable=False) == NORMAL
    assert _level(engine, durable=True) == FULL
    assert _level(engine, durable=False) == NORMAL
    assert _level(engine, durable=True) == FULL


def test_the_receipt_is_durable_and_processing_is_not(tmp_path: Path, clock: FixedClock) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.startswith("PRAGMA synchronous=") or statement.startswith(
            "INSERT INTO inbound_messages"
        ):
            seen.append(statement.split()[0] + " " + statement.split()[1][:25])

    Pipeline(engine, Settings(), clock).submit(SAMPLE.read_bytes())
    pragmas = [s for s in seen if s.startswith("PRAGMA")]
    first_insert = next(i for i, s in enumerate(seen) if s.startswith("INSERT"))
    # FULL is set before the receipt's INSERT, NORMAL again before processing writes.
    assert seen[:first_insert] == ["PRAGMA synchronous=FULL"]
    assert pragmas == ["PRAGMA synchronous=FULL", "PRAGMA synchronous=NORMAL"]


def test_a_unit_holds_the_write_lock_from_its_begin_without_engine_listeners(
    tmp_path: Path,
) -> None:
    """BEGIN IMMEDIATE comes from the SQLite connection class, not an engine listener: any
    connection listener makes SQLAlchemy dispatch every connection's events (stop 26)."""
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    assert not engine._has_events
    with UnitOfWork(session_factory(engine)) as uow:
        uow.session.connection()  # begun, nothing read or written yet
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    engine.dispose()
