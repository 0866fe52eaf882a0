"""Claims: which officer holds a flagged declaration, so two never work on it at once.

Every function here takes the declaration row the caller has locked (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), so reading the claim and writing
it happen under that lock: of two officers claiming at once, the second one reads the first
one's claim and is told who holds it. Each change is an event of the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from clearance.decisions.records import WAITING
from clearance.lifecycle.events import EventKind, append_event
from clearance.officer.errors import (
    ClaimHeldError,
    NotClaimedError,
    NotWaitingError,
    StaleVersionError,
)
from clearance.store.officer_tables import OfficerClaim
from clearance.store.tables import Declaration as DeclarationRow
from core.clock import as_utc


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a declaration, and since when."""

    officer: str
    since: datetime


def holder(session: Session, row: DeclarationRow) -> Holder | None:
    """The officer holding ``row`` now, or None."""
    claim = session.get(OfficerClaim, row.id)
    return None if claim is None else Holder(claim.officer, as_utc(claim.claimed_at))


def require_waiting(row: DeclarationRow) -> None:
    """Refuse officer work on a declaration that no longer waits for an officer."""
    if row.status not in WAITING:
        raise NotWaitingError(
            f"declaration {row.number} is {row.status}: it does not wait for an officer"
        )


def require_version(row: DeclarationRow, seen: int | None) -> None:
    """Refuse an action taken on a screen of another version than the current one."""
    if seen is not None and row.version != seen:
        raise StaleVersionError(f"declaration {row.number} is at version {row.version}, not {seen}")


def claim(session: Session, row: DeclarationRow, officer: str, now: datetime) -> Holder:
    """Make ``officer`` the holder of ``row``; claiming one's own claim again changes nothing.

    ``ClaimHeldError`` (naming the holder) when another officer holds it.
    """
    require_waiting(row)
    current = holder(session, row)
    if current is not None:
        if current.officer != officer:
            raise ClaimHeldError(row.number, current.officer)
        return current
    session.add(
        OfficerClaim(
            declaration_id=row.id,
            declaration_number=row.number,
            officer=officer,
            claimed_at=now,
        )
    )
    session.flush()  # the unique key fails here, inside the use case, if the lock was missed
    data = {"by": officer, "officer": officer, "version": row.version}
    append_event(session, EventKind.CLAIMED, now, declaration_number=row.number, data=data)
    return Holder(officer, now)


def unclaim(
    session: Session,
    row: DeclarationRow,
    by: str,
    now: datetime,
    *,
    override: bool = False,
    reason: str | None = None,
) -> Holder:
    """Give up the claim on ``row`` (its holder, or a supervisor with ``override``).

    ``NotClaimedError`` when nobody holds it; ``ClaimHeldError`` when another officer holds it
    and ``by`` may not override.
    """
    current = holder(session, row)
    if current is None:
        raise NotClaimedError(f"declaration {row.number} is not claimed")
    if current.officer != by and not override:
        raise ClaimHeldError(row.number, current.officer)
    session.execute(delete(OfficerClaim).where(OfficerClaim.declaration_id == row.id))
    data = {"by": by, "officer": current.officer, "reason": reason}
    append_event(session, EventKind.UNCLAIMED, now, declaration_number=row.number, data=data)
    return current


def reassign(
    session: Session,
    row: DeclarationRow,
    to: str,
    by: str,
    now: datetime,
    reason: str | None = None,
) -> Holder:
    """Give ``row`` to officer ``to`` (a supervisor's act; the caller checks the permission).

    A declaration nobody holds is simply given to ``to``.
    """
    require_waiting(row)
    current = holder(session, row)
    claim_row = session.get(OfficerClaim, row.id)
    if claim_row is None:
        session.add(
            OfficerClaim(
                declaration_id=row.id, declaration_number=row.number, officer=to, claimed_at=now
            )
        )
    else:
        claim_row.officer, claim_row.claimed_at = to, now
    session.flush()
    data = {
        "by": by,
        "from": None if current is None else current.officer,
        "to": to,
        "reason": reason,
    }
    append_event(session, EventKind.CLAIM_REASSIGNED, now, declaration_number=row.number, data=data)
    return Holder(to, now)


def require_holder(
    session: Session, row: DeclarationRow, officer: str, *, override: bool = False
) -> Holder | None:
    """Refuse an action on ``row`` unless ``officer`` holds it (or may override).

    ``NotClaimedError`` when nobody holds it (claim it first), ``ClaimHeldError`` naming the
    holder when someone else does. With ``override`` (a supervisor) neither is an obstacle.
    """
    current = holder(session, row)
    if override or (current is not None and current.officer == officer):
        return current
    if current is None:
        raise NotClaimedError(f"declaration {row.number} is not claimed: claim it first")
    raise ClaimHeldError(row.number, current.officer)


def close(session: Session, row: DeclarationRow, status: str) -> str | None:
    """End the claim on ``row`` once its new ``status`` no longer waits (decided); the former
    holder, if any. The decision's own event says who decided; the claim simply ends with it.
    """
    if status in WAITING:
        return None
    current = holder(session, row)
    if current is not None:
        session.execute(delete(OfficerClaim).where(OfficerClaim.declaration_id == row.id))
    return None if current is None else current.officer
