"""What the pipeline writes per interchange, and in how many statements (issue 15, pgwrites).

Rows go in one statement per table and run (clearance/store/bulk.py: ``unnest`` on
PostgreSQL, the driver's executemany on SQLite) and must be stored exactly as SQLAlchemy's own
INSERT stores them; the decided values of a chunk's declarations are one statement
(clearance/intake/decided.py); events are staged on PostgreSQL without a ``SELECT count(*)``
and in a temporary table created once per connection (clearance/lifecycle/events.py).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, event, insert, select
from sqlalchemy.orm import Session

from clearance.intake.decided import store_decided
from clearance.intake.pipeline import Pipeline
from clearance.lifecycle.events import EventBatch, EventKind
from clearance.store.bulk import insert_rows, insert_rows_returning_ids
from clearance.store.deferred import write_deferred
from clearance.store.identity_tables import Subject
from clearance.store.statistics_tables import StatFact
from clearance.store.tables import Declaration, Event, InboundMessage
from core.settings import Settings
from tests.sql_support import statements

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import prepare  # noqa: E402
from day import one_interchange  # noqa: E402

pytestmark = pytest.mark.db

AT = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def _fact(number: str, n: int, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "declaration_number": number,
        "item_sequence": n,
        "flow": "M",
        "stat_date": date(2026, 6, 15),
        "period": 202606,
        "hs": "0203290000",
        "partner": "ES",
        "consignment": "ES",
        "trade_mode": "0110",
        "office": "2201",
        "transport_mode": "2",
        "trader": "91310000MA1FL8XQ3A",
        "region": "31",
        "value_cny": Decimal("1234.5678"),
        "counted": n % 2 == 0,
        "revision": 1,
        "source_event_id": n,
        "seq": n,
        "updated_at": AT,
    }
    row.update(extra)
    return row


def _facts(number: str) -> list[dict[str, Any]]:
    # Optional columns given for some rows only: three runs of different keys, in order.
    return [
        _fact(number, 1, value_usd=None, net_mass=Decimal("0.1250"), unit1="KGM"),
        _fact(number, 2, value_usd=Decimal("17.01"), net_mass=None, unit1=None),
        _fact(number, 3),
        _fact(number, 4),
        _fact(number, 5, quantity1=Decimal("3"), unit1="KGM", quantity2=None, unit2=None),
    ]


def _stored(engine: Engine, number: str) -> list[tuple[Any, ...]]:
    table = StatFact.__table__
    columns = [c for c in table.c if c.name not in ("id", "declaration_number")]
    with engine.connect() as conn:
        query = select(*columns).where(table.c.declaration_number == number)
        return [tuple(row) for row in conn.execute(query.order_by(table.c.id))]


def test_rows_are_stored_as_sqlalchemys_insert_stores_them(engine: Engine) -> None:
    with Session(engine) as session:
        insert_rows(session, StatFact, _facts("FAST"))
        session.commit()
    with engine.begin() as conn:
        for row in _facts("CORE"):
            conn.execute(insert(StatFact), row)
    fast, core = _stored(engine, "FAST"), _stored(engine, "CORE")
    assert fast == core
    names = [c.name for c in StatFact.__table__.c if c.name not in ("id", "declaration_number")]
    sequence, counted = names.index("item_sequence"), names.index("counted")
    assert [row[sequence] for row in fast] == [1, 2, 3, 4, 5]  # ids in the order given
    assert [row[counted] for row in fast] == [False, True, False, True, False]


def test_a_value_shared_by_rows_is_stored_for_each_and_a_different_one_as_itself(
    engine: Engine,
) -> None:
    # The bind processor runs once for a column whose rows share one object (bulk._columns):
    # a later row with another instant must still get its own.
    later = datetime(2026, 6, 15, 3, 30, 15, 250, tzinfo=UTC)
    times = [AT, AT, later, AT]
    rows = [
        {"id": n + 1, "occurred_at": at, "kind": "received", "data": "{}"}
        for n, at in enumerate(times)
    ]
    with Session(engine) as session:
        insert_rows(session, Event, rows[:2])  # one shared instant
        insert_rows(session, Event, rows[2:])  # a different one first
        session.commit()
    with Session(engine) as session:
        stored = session.scalars(select(Event.occurred_at).order_by(Event.id)).all()
    assert [t.replace(tzinfo=UTC) if t.tzinfo is None else t for t in stored] == times


def test_rows_without_a_python_default_column_take_its_default(engine: Engine) -> None:
    # ``subjects.disabled`` has a Python-side default: the rows that leave it out still get it.
    rows = [
        {"id": f"clerk-{n}", "name": f"Clerk {n}", "role": "officer", "created_at": AT}
        for n in range(3)
    ]
    with Session(engine) as session:
        insert_rows(session, Subject, rows)
        session.commit()
        stored = session.scalars(select(Subject).order_by(Subject.id)).all()
    assert [(s.id, s.disabled) for s in stored] == [(f"clerk-{n}", False) for n in range(3)]


def test_an_interchange_writes_each_table_and_the_decisions_in_one_statement(
    engine: Engine,
) -> None:
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    with statements(engine) as seen:
        outcome = pipeline.submit(one_interchange(10))
    assert len(outcome.declarations) == 10
    decided = [s for s in seen if s.lstrip().upper().startswith("UPDATE DECLARATIONS")]
    items = [s for s in seen if s.lstrip().upper().startswith("INSERT INTO DECLARATION_ITEMS")]
    assert (len(decided), len(items)) == (1, 1)
    if engine.dialect.name == "postgresql":  # one server statement, not one per row
        assert "unnest" in decided[0] and "unnest" in items[0]
    with Session(engine) as session:
        stored = session.execute(
            select(Declaration.number, Declaration.status, Declaration.lane, Declaration.decision)
        ).all()
    assert sorted(stored) == sorted(
        (d.number, d.status, d.lane, d.decision) for d in outcome.declarations
    )
    assert all(status != "registered" for _, status, _, _ in stored)


def test_decided_values_are_written_in_order_and_keep_loaded_rows_current(
    engine: Engine,
) -> None:
    clock = prepare(engine)
    Pipeline.standard(engine, Settings(), clock).submit(one_interchange(3))
    with Session(engine) as session:
        first, second, third = session.scalars(select(Declaration.id).order_by(Declaration.id))
        held = session.get(Declaration, first)  # a step holds this one as an object
        assert held is not None
        store_decided(session, first, "red", "inspect", "under_control", AT)
        store_decided(session, second, "yellow", "documents", "documents_required", AT)
        store_decided(session, third, "green", "release", "released", AT)
        store_decided(session, second, None, None, "invalidated", AT)  # the same row again
        write_deferred(session)
        assert (held.lane, held.status) == ("red", "under_control")  # no refresh needed
        session.commit()
    with Session(engine) as session:
        rows = session.execute(
            select(Declaration.lane, Declaration.decision, Declaration.status).order_by(
                Declaration.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("red", "inspect", "under_control"),
        (None, None, "invalidated"),
        ("green", "release", "released"),
    ]


def _inbound(name: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sender": "SENDER",
        "channel": "file",
        "filename": name,
        "sha256": "0" * 64,
        "size": 1,
        "raw": name.encode(),
        "received_at": AT,
        "status": "received",
    }
    row.update(extra)
    return row


def test_new_ids_are_the_ones_the_database_gives_in_the_order_of_the_rows(
    engine: Engine,
) -> None:
    # Rows of different keys (two runs); then the last row deleted: SQLite gives the next row
    # the largest id left plus one, and the ids drawn for it must be that too (stop 23).
    first = [_inbound("a"), _inbound("b", submitted_by="clerk"), _inbound("c")]
    with Session(engine) as session, statements(engine) as seen:
        ids = insert_rows_returning_ids(session, InboundMessage, first)
        session.commit()
    with Session(engine) as session:
        session.execute(delete(InboundMessage).where(InboundMessage.id == ids[-1]))
        again = insert_rows_returning_ids(session, InboundMessage, [_inbound("d"), _inbound("e")])
        session.commit()
    with Session(engine) as session:
        stored = session.execute(
            select(
                InboundMessage.id, InboundMessage.filename, InboundMessage.submitted_by
            ).order_by(InboundMessage.id)
        ).all()
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    if engine.dialect.name == "sqlite":  # SQLite's own choice: the largest id left + 1
        assert again == [ids[0] + 2, ids[0] + 3]
    else:  # a sequence never gives an id twice
        assert again[0] > ids[-1] and again[1] > again[0]
    names = dict(zip(ids[:2] + again, ["a", "b", "d", "e"], strict=True))
    assert [(i, f) for i, f, _ in stored] == sorted(names.items())
    assert [s for i, _, s in stored if s is not None] == ["clerk"]
    if engine.dialect.name == "sqlite":  # one INSERT per run of keys, not one per row
        inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
        assert len(inserts) == 3 and not any("RETURNING" in s.upper() for s in inserts)


def test_what_processing_sets_on_the_message_is_stored_without_the_orm_flush(
    engine: Engine,
) -> None:
    # The message row is written by one prebuilt UPDATE (clearance/intake/processed.py): the
    # flush at commit finds it clean, and what the flow set (sender, type, reference, a
    # resend's original, status, time) is stored all the same.
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    dirty: list[str] = []

    def seen_dirty(session: Session, *_: Any) -> None:
        dirty.extend(type(o).__name__ for o in session.dirty)

    event.listen(Session, "before_commit", seen_dirty)
    try:
        raw = one_interchange(2)
        first, resend = pipeline.submit(raw), pipeline.submit(raw)
    finally:
        event.remove(Session, "before_commit", seen_dirty)
    assert "InboundMessage" not in dirty
    with Session(engine) as session:
        stored = session.execute(
            select(
                InboundMessage.id,
                InboundMessage.format,
                InboundMessage.sender,
                InboundMessage.message_type,
                InboundMessage.control_reference,
                InboundMessage.status,
                InboundMessage.processed_at,
                InboundMessage.duplicate_of,
                InboundMessage.error,
            ).order_by(InboundMessage.id)
        ).all()
    assert [r.id for r in stored] == [first.message_id, resend.message_id]
    for row in stored:
        assert (row.format, row.message_type, row.error) == ("edifact", "CUSDEC", None)
        assert row.sender == first.sender != "UNKNOWN"
        assert row.control_reference == first.control_reference is not None
        assert row.processed_at is not None
    assert [(r.status, r.duplicate_of) for r in stored] == [
        (first.status.value, None),
        ("duplicate", first.message_id),
    ]


def _events(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        rows = session.execute(select(Event.id, Event.kind).order_by(Event.id))
        return [(int(event_id), str(kind)) for event_id, kind in rows]


def test_events_staged_then_rolled_back_with_a_savepoint_are_not_counted(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        EventBatch(AT, None).write(session)  # nothing queued: nothing written
        batch = EventBatch(AT, None)
        batch.add(EventKind.RECEIVED)
        batch.add(EventKind.DUPLICATE)
        batch.write(session)
        nested = session.begin_nested()
        late = EventBatch(AT, None)
        late.add(EventKind.FAILED)
        late.write(session)
        nested.rollback()
        session.commit()
    assert _events(engine) == [(1, "received"), (2, "duplicate")]


def test_the_staging_table_outlives_a_rolled_back_first_unit(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("events are staged on PostgreSQL only")
    with Session(engine) as session:  # the event counter's row exists (created apart at first)
        first = EventBatch(AT, None)
        first.add(EventKind.DUPLICATE)
        first.write(session)
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    single = create_engine(url, pool_size=1, max_overflow=0)  # one connection, reused
    try:
        with statements(single) as seen:
            for commit, kind in ((False, EventKind.FAILED), (True, EventKind.RECEIVED)) * 2:
                with Session(single) as session:
                    batch = EventBatch(AT, None)
                    batch.add(kind)
                    batch.write(session)
                    if commit:
                        session.commit()
        creates = [s for s in seen if s.startswith("CREATE TEMPORARY TABLE")]
        counts = [s for s in seen if "count(*)" in s]
    finally:
        single.dispose()
    # Created again after the rollback that took the first one away, then kept: 2, not 4.
    assert (len(creates), counts) == (2, [])
    assert _events(engine) == [(1, "duplicate"), (2, "received"), (3, "received")]
