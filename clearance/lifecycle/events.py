"""The append-only lifecycle event log.

Event ids are a gapless sequence in commit order, so a follower paging with
``id > cursor`` never misses an event that commits late: ids are taken from a counter row
(``control_reference_counters``, name ``event-log``) whose row lock is held to the end of the
writing transaction, so a transaction that takes ids later also commits later.

On SQLite (one writer at a time anyway) the ids are taken when the events are written. On
PostgreSQL that lock would make every unit of work that writes events wait for every other one
to commit, so a unit's events are staged in a temporary table of its connection and take their
ids only as the unit commits (:func:`_publish_staged`, a ``before_commit`` hook): the lock is
held for one ``INSERT … SELECT`` and the commit, not for the unit of work (ADR 0013). A unit's
events are therefore readable from its commit on, by itself too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    MetaData,
    Result,
    Table,
    Text,
    event,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, SessionTransaction

from clearance.store.bulk import insert_rows, insert_table_rows
from clearance.store.counters import NAMED, CounterRow, create_apart, on_postgresql
from clearance.store.deferred import transaction_cache, write_deferred
from clearance.store.tables import Event

EVENT_COUNTER = "event-log"


class EventKind(StrEnum):
    """The catalogue of lifecycle events (docs/events.md)."""

    RECEIVED = "received"
    DUPLICATE = "duplicate"
    SYNTAX_ACCEPTED = "syntax_accepted"
    SYNTAX_REJECTED = "syntax_rejected"
    REGISTERED = "registered"
    REJECTED = "rejected"
    AMENDED = "amended"
    INVALIDATED = "invalidated"
    CHANGE_REFUSED = "change_refused"
    FAILED = "failed"
    MANIFEST_RECEIVED = "manifest_received"
    MANIFEST_MATCHED = "manifest_matched"
    ASSESSED = "assessed"
    LANE_ASSIGNED = "lane_assigned"
    DOCUMENTS_REQUESTED = "documents_requested"
    UNDER_CONTROL = "under_control"
    RELEASED = "released"
    OFFICER_DECIDED = "officer_decided"
    EXIT_CONFIRMED = "exit_confirmed"
    CLEARED = "cleared"  # 结关: a released export whose exit was confirmed
    REBATE_BATCH_ACKNOWLEDGED = "rebate_batch_acknowledged"
    # Officer work (docs/officer.md): the audit trail of who held and did what.
    CLAIMED = "claimed"
    UNCLAIMED = "unclaimed"
    CLAIM_REASSIGNED = "claim_reassigned"
    DOCUMENTS_PRESENTED = "documents_presented"
    EXAMINATION_RECORDED = "examination_recorded"
    # Scheduled housekeeping (docs/operations.md): each announced once (housekeeping_notices).
    LICENCE_EXPIRED = "licence_expired"
    LICENCE_EXPIRING = "licence_expiring"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    QUOTA_PERIOD_OPENED = "quota_period_opened"
    QUOTA_PERIOD_CLOSED = "quota_period_closed"
    REBATE_BATCH_WRITTEN = "rebate_batch_written"
    RAW_ARCHIVED = "raw_archived"


def append_event(
    session: Session,
    kind: EventKind,
    at: datetime,
    *,
    inbound_message_id: int | None = None,
    declaration_number: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Add one event to the caller's transaction (it lands when the caller commits)."""
    batch = EventBatch(at, inbound_message_id)
    batch.add(kind, declaration_number=declaration_number, data=data)
    batch.write(session)


class EventBatch:
    """Events of one unit of work, written with one multi-row INSERT in the order added."""

    def __init__(self, at: datetime, inbound_message_id: int | None) -> None:
        self._at = at
        self._inbound_message_id = inbound_message_id
        self._rows: list[dict[str, Any]] = []

    def add(
        self,
        kind: EventKind,
        *,
        declaration_number: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Queue one event."""
        self._rows.append(
            {
                "occurred_at": self._at,
                "kind": kind.value,
                "inbound_message_id": self._inbound_message_id,
                "declaration_number": declaration_number,
                "data": _encode(data or {}),
            }
        )

    def write(self, session: Session) -> None:
        """Insert the queued events with the next ids of the log, in the order added."""
        if not self._rows:
            return
        if on_postgresql(session):
            _stage(session, self._rows)
        else:
            last = CounterRow.named(EVENT_COUNTER).take(session, len(self._rows))
            first = last - len(self._rows) + 1
            for offset, row in enumerate(self._rows):
                row["id"] = first + offset
            insert_rows(session, Event, self._rows)
        self._rows = []


def _encoder() -> Callable[[dict[str, Any]], str]:
    """``json.dumps(data, ensure_ascii=False, sort_keys=True)`` for an event's data dict.

    ``JSONEncoder.encode`` builds a new C encoder on every call (``iterencode``), which was
    about 60 % of encoding an event's small dict and some 2 µs an event, four or five events a
    declaration (stop 29): the C encoder is built once here with the same options. Without
    the C accelerator, the encoder's own ``encode``.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    options = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
    # The arguments JSONEncoder.iterencode passes (no circular-reference markers: an event's
    # data is a tree built for it).
    chunks = make(
        None,
        options.default,
        json.encoder.encode_basestring,
        options.indent,
        options.key_separator,
        options.item_separator,
        options.sort_keys,
        options.skipkeys,
        options.allow_nan,
    )

    def encode(data: dict[str, Any]) -> str:
        return "".join(chunks(data, 0))

    return encode


_encode = _encoder()


def events_since(session: Session, cursor: int, limit: int = 100) -> list[Event]:
    """Events after ``cursor`` (an event id, 0 for the start), oldest first."""
    return list(
        session.scalars(select(Event).where(Event.id > cursor).order_by(Event.id).limit(limit))
    )


# PostgreSQL: events staged per transaction, numbered and inserted as it commits.
_STAGED = "events.staged"
_STAGE_TABLE = text(
    "CREATE TEMPORARY TABLE IF NOT EXISTS staged_events ("
    " seq bigserial, occurred_at timestamptz NOT NULL, kind text NOT NULL,"
    " inbound_message_id bigint, declaration_number text, data text NOT NULL"
    ") ON COMMIT DELETE ROWS"
)
#: The columns an event is staged with (``seq`` is the table's own, in the order staged).
_STAGED_EVENTS = Table(
    "staged_events",
    MetaData(),
    Column("occurred_at", DateTime(timezone=True)),
    Column("kind", Text),
    Column("inbound_message_id", BigInteger),
    Column("declaration_number", Text),
    Column("data", Text),
)
_COUNT = text("SELECT count(*) FROM staged_events")
#: One statement under the lock: advance the counter by the staged count, insert the staged
#: events with the ids that follow, in the order staged.
_PUBLISH = text(
    "WITH bumped AS ("
    " UPDATE control_reference_counters SET last_value = last_value + :n"
    " WHERE name = :name RETURNING last_value)"
    " INSERT INTO events (id, occurred_at, kind, inbound_message_id, declaration_number, data)"
    " SELECT bumped.last_value - :n + row_number() OVER (ORDER BY s.seq),"
    " s.occurred_at, s.kind, s.inbound_message_id, s.declaration_number, s.data"
    " FROM staged_events s CROSS JOIN bumped"
)
#: The driver connections that have the table: added once the transaction that created it
#: has committed (a rolled-back CREATE leaves no table), gone with the connection (a new one,
#: after a reconnect, creates it again).
_TABLE_MADE: WeakSet[Any] = WeakSet()
#: Sessions whose open transaction created the table, with that driver connection.
_CREATING: WeakKeyDictionary[Session, Any] = WeakKeyDictionary()


def _stage(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()  # first: it begins the transaction the cache belongs to
    staged = transaction_cache(session, _STAGED)
    if not staged:
        staged["count"] = 0
        driver = connection.connection.dbapi_connection
        if driver not in _TABLE_MADE:
            connection.execute(_STAGE_TABLE)
            _CREATING[session] = driver
    # One statement for the batch (clearance/store/bulk.py), where a text INSERT of N rows was
    # N statements for the server.
    insert_table_rows(connection, _STAGED_EVENTS, rows)
    if staged["count"] is not None:
        # Known in memory: publishing needs no SELECT count(*) (None: ask the table).
        staged["count"] += len(rows)


_STAGED_TIMES = text(
    "SELECT occurred_at FROM staged_events WHERE declaration_number = :number AND kind = :kind"
)


def staged_times(session: Session, number: str, kind: EventKind) -> list[datetime]:
    """When this unit of work added ``kind`` events of ``number`` that are not yet in the log
    (PostgreSQL stages them until the commit); a reader of the log in the same unit adds them."""
    if not transaction_cache(session, _STAGED):
        return []
    rows = session.execute(_STAGED_TIMES, {"number": number, "kind": kind.value}).scalars()
    return list(rows)


@event.listens_for(Session, "before_commit")
def _publish_staged(session: Session) -> None:
    # Only the root commit: a savepoint's release is not the end of the unit of work.
    staged = transaction_cache(session, _STAGED)
    if session.in_nested_transaction() or not staged:
        return
    # Everything else first, so that the lock below is held for the events and the commit.
    write_deferred(session)
    session.flush()
    count = staged["count"]
    if count is None:
        count = int(session.execute(_COUNT).scalar_one())
    if count == 0:
        return
    args = {"n": count, "name": EVENT_COUNTER}
    written = _rowcount(session.execute(_PUBLISH, args))
    if written == 0:  # no counter row yet (it took no lock): create it apart, then again
        create_apart(session, _CREATE_COUNTER)
        written = _rowcount(session.execute(_PUBLISH, args))
    if written != count:
        raise RuntimeError(f"event log: {written} of {count} staged events written")


@event.listens_for(Session, "after_commit")
def _table_made(session: Session) -> None:
    driver = _CREATING.pop(session, None)
    if driver is not None:
        _TABLE_MADE.add(driver)


@event.listens_for(Session, "after_soft_rollback")
def _staged_rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        # A savepoint rolled back may have taken staged rows with it: count them at commit.
        staged = session.info.get(_STAGED)
        if staged is not None and staged[1]:
            staged[1]["count"] = None
    else:
        _CREATING.pop(session, None)  # the CREATE, if this transaction made it, is undone


#: The event counter's row, starting after the events already stored (first use only).
_CREATE_COUNTER = (
    pg_insert(NAMED)
    .from_select(
        ["name", "last_value"],
        select(literal(EVENT_COUNTER), func.coalesce(func.max(Event.id), 0)),
    )
    .on_conflict_do_nothing(index_elements=["name"])
)


def _rowcount(result: Result[Any]) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]
