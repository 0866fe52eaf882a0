"""The exit of export goods (出境确认) as a dated, stored fact.

``customs rebates confirm-exit`` records it (:func:`clearance.rebates.records.confirm_exit`)
as an ``exit_confirmed`` event: the event log keeps the time, so that a later decision (may a
released export still be invalidated?) can say *when* the goods left. Before exit confirmations
were events, the only trace was the rebate records' status; such a record in ``confirmed`` or
``transmitted`` still counts as a confirmed exit, without a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, staged_times
from clearance.store.control_tables import REBATE_CONFIRMED, REBATE_TRANSMITTED, RebateRecord
from clearance.store.tables import Event
from core.clock import as_utc


@dataclass(frozen=True, slots=True)
class ExitConfirmation:
    """The goods of a declaration left the customs territory; ``at`` None: time not recorded."""

    at: datetime | None


def exit_confirmation(session: Session, number: str) -> ExitConfirmation | None:
    """When the exit of ``number``'s goods was first confirmed; None when it never was."""
    kind = EventKind.EXIT_CONFIRMED
    first = session.scalar(
        select(func.min(Event.occurred_at)).where(
            Event.declaration_number == number, Event.kind == kind.value
        )
    )
    times = [as_utc(t) for t in (first, *staged_times(session, number, kind)) if t is not None]
    if times:
        return ExitConfirmation(min(times))
    legacy = session.scalar(
        select(func.count())
        .select_from(RebateRecord)
        .where(
            RebateRecord.declaration_number == number,
            RebateRecord.status.in_((REBATE_CONFIRMED, REBATE_TRANSMITTED)),
        )
    )
    return ExitConfirmation(None) if legacy else None
