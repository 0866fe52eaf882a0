"""The append-only lifecycle event log.

Event ids are a gapless sequence in commit order, so a follower paging with
``id > cursor`` never misses an event that commits late: ids are taken from a counter row
(``control_reference_counters``, name ``event-log``) whose row lock is held to the end of the
writing transaction, so a transaction that takes ids later also commits later.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clearance.lifecycle.numbering import reserve_counter
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
                "data": json.dumps(data or {}, ensure_ascii=False, sort_keys=True),
            }
        )

    def write(self, session: Session) -> None:
        """Insert the queued events with the next ids of the log, in the order added."""
        if not self._rows:
            return
        last = reserve_counter(session, EVENT_COUNTER, len(self._rows))
        first = last - len(self._rows) + 1
        for offset, row in enumerate(self._rows):
            row["id"] = first + offset
        session.execute(insert(Event), self._rows)
        self._rows = []


def events_since(session: Session, cursor: int, limit: int = 100) -> list[Event]:
    """Events after ``cursor`` (an event id, 0 for the start), oldest first."""
    return list(
        session.scalars(select(Event).where(Event.id > cursor).order_by(Event.id).limit(limit))
    )
