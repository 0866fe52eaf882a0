"""Exit confirmed, declaration cleared (出境确认, 结关): one unit of work.

The exit of a released export's goods is confirmed (:func:`clearance.rebates.records.
confirm_exit`: its rebate records become ``confirmed``, an ``exit_confirmed`` event), and
with it the declaration is cleared: a ``cleared`` event, and the declarant is told where its
channel has a notice for it (:func:`clearance.officer.notify.tell_cleared`). The declaration's
status stays ``released``: statistics, FX monitoring and the ledgers read released exports, and
clearance is not a new decision on the goods but the end of their customs control.
A second confirmation changes nothing and writes nothing: both events are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind, append_event
from clearance.officer.notify import tell_cleared
from clearance.rebates import records
from clearance.store.tables import Declaration as DeclarationRow
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class Cleared:
    """What an exit confirmation did: the rebate side, and the answer written (if any)."""

    exit: records.ExitConfirmed
    answer: str | None  # the notice of clearance sent now; None: none (channel, or again)


def confirm_exit(
    session: Session, settings: Settings, number: str, now: datetime, actor: str
) -> Cleared:
    """Confirm the exit of released export ``number`` and clear it, once.

    Raises :class:`~clearance.rebates.records.ExitConfirmationError` as
    :func:`records.confirm_exit` does (unknown, import, not released, invalidated); the
    declaration's row is locked there, so two confirmations never both clear it.
    """
    done = records.confirm_exit(session, number, now, settings.timezone)
    if done.already:
        return Cleared(done, None)
    row = session.scalars(select(DeclarationRow).where(DeclarationRow.number == number)).one()
    answer = tell_cleared(session, settings, row, now)
    append_event(
        session,
        EventKind.CLEARED,
        now,
        declaration_number=number,
        data={"by": actor, "answered": answer is not None},
    )
    return Cleared(done, answer)
