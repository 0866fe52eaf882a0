"""The audit trail of officer work on one declaration, read from the event log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind
from clearance.store.tables import Event

#: The events an officer's (or, for documents presented, the trader's answer to an officer's)
#: action leaves. ``documents_requested`` is also left by the automatic decision (yellow lane):
#: its ``by`` is then missing, and the history shows it as the system's.
OFFICER_EVENTS = (
    EventKind.CLAIMED,
    EventKind.UNCLAIMED,
    EventKind.CLAIM_REASSIGNED,
    EventKind.DOCUMENTS_REQUESTED,
    EventKind.DOCUMENTS_PRESENTED,
    EventKind.EXAMINATION_RECORDED,
    EventKind.OFFICER_DECIDED,
)


def officer_events(session: Session, number: str) -> list[Event]:
    """The officer-work events of declaration ``number``, oldest first."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.declaration_number == number,
                Event.kind.in_([kind.value for kind in OFFICER_EVENTS]),
            )
            .order_by(Event.id)
        )
    )
