"""The write-off (核销) report of a licence: every draw-down by declaration, and what is left.

For the issuing agency: per declaration that drew on the licence, what it reserved, consumed on
release and gave back (rejection, invalidation), from the immutable ledger entries, with the
licence's allowance and balance. Nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.decisions.registry_ledgers import LedgerLine, ledgers
from clearance.store.control_tables import LedgerEntry, LedgerHead
from clearance.store.deferred import write_deferred
from rules.registry import Licence


@dataclass(frozen=True, slots=True)
class Draw:
    """One declaration's movements on the licence, summed per kind."""

    declaration_number: str
    reserved: Decimal  # held now, not yet released (the goods are not released yet)
    consumed: Decimal  # written off: drawn by released goods, net of what was returned
    returned: Decimal  # reservations released and consumption given back
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True, slots=True)
class WriteOff:
    """The report: the licence's ledger line and its draws, oldest first."""

    licence: Licence
    ledger: LedgerLine
    draws: tuple[Draw, ...]


def write_off(session: Session, licence: Licence) -> WriteOff:
    """The write-off report of ``licence`` (its ledger may not exist yet: no draws)."""
    (line,) = ledgers(session, licence)
    write_deferred(session)  # entries booked in this unit of work are queued until written
    entries = session.execute(
        select(LedgerEntry)
        .join(LedgerHead, LedgerHead.id == LedgerEntry.head_id)
        .where(LedgerHead.key == line.key)
        .order_by(LedgerEntry.id)
    ).scalars()
    by_declaration: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_declaration.setdefault(entry.declaration_number, []).append(entry)
    return WriteOff(licence, line, tuple(_draw(n, e) for n, e in by_declaration.items()))


def _draw(number: str, entries: list[LedgerEntry]) -> Draw:
    def total(*kinds: str) -> Decimal:
        return sum((e.quantity for e in entries if e.kind in kinds), Decimal(0))

    # The same arithmetic as rules.ledger.Holding: consume moves reserve to consumption.
    return Draw(
        declaration_number=number,
        reserved=total("reserve") - total("consume") - total("release"),
        consumed=total("consume") - total("return"),
        returned=total("release", "return"),
        first_at=entries[0].created_at,
        last_at=entries[-1].created_at,
    )
