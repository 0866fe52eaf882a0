"""Every running balance recomputed from its entries: the entries stay the record.

A head's running balance (:mod:`clearance.ledgers.balances`) is the signed sum of its entries,
kept in the same transaction as each entry. :func:`drifts` sums every head's entries again (the
one place that reads whole histories, run by hand or on a schedule, not by a declaration) and
names each head whose stored balance differs; :func:`repair` sets those heads back to the sums
of their entries, under their row locks.

SQLite has no decimal type: it keeps quantities as floats, so an entry with more than 4 decimals
makes sums whose fifth decimal is a 5 (or a float's hair either side of it) round to 4 decimals
either way depending on the order they were added in, and its ``SUM`` adds in another order
than the running balance did. There a quantity one ten-thousandth off is that, not a drift;
PostgreSQL's numeric sums are exact and compared exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from clearance.store.control_tables import LedgerEntry, LedgerHead
from rules.ledger import Entry, EntryKind, Holding

_HEADS = cast(Table, LedgerHead.__table__)
_ENTRIES = cast(Table, LedgerEntry.__table__)


@dataclass(frozen=True, slots=True)
class Drift:
    """A head whose stored balance is not the sum of its entries."""

    key: str
    stored: Holding
    recomputed: Holding


def drifts(session: Session) -> list[Drift]:
    """The heads whose running balance differs from their entries' sums, by key.

    One statement (one snapshot on PostgreSQL): the heads and their entries' sums are read
    together, so a unit of work committing meanwhile is seen in both or in neither.
    """
    sums = (
        select(
            _ENTRIES.c.head_id,
            _ENTRIES.c.kind,
            func.sum(_ENTRIES.c.quantity).label("quantity"),
            func.sum(_ENTRIES.c.uses).label("uses"),
        )
        .group_by(_ENTRIES.c.head_id, _ENTRIES.c.kind)
        .subquery()
    )
    rows = session.connection().execute(
        select(
            _HEADS.c.id,
            _HEADS.c.key,
            _HEADS.c.reserved,
            _HEADS.c.consumed,
            _HEADS.c.reserved_uses,
            _HEADS.c.consumed_uses,
            sums.c.kind,
            sums.c.quantity,
            sums.c.uses,
        )
        .select_from(_HEADS.outerjoin(sums, sums.c.head_id == _HEADS.c.id))
        .order_by(_HEADS.c.key)
    )
    stored: dict[str, Holding] = {}
    recomputed: dict[str, Holding] = {}
    for _, key, reserved, consumed, reserved_uses, consumed_uses, kind, quantity, uses in rows:
        stored[key] = Holding(Decimal(reserved), Decimal(consumed), reserved_uses, consumed_uses)
        holding = recomputed.get(key, Holding())
        if kind is not None:
            holding = holding.apply(Entry(EntryKind(kind), "", Decimal(quantity), int(uses)))
        recomputed[key] = holding
    exact = exact_sums(session)
    return [
        Drift(key, stored[key], recomputed[key])
        for key in stored
        if not agree(stored[key], recomputed[key], exact)
    ]


def repair(session: Session, keys: Iterable[str]) -> list[Drift]:
    """Set the heads of ``keys`` to the sums of their entries, under their row locks.

    Checked again under the lock: returns what was set (a head that no longer drifts is left
    as it is).
    """
    heads = session.connection().execute(
        select(_HEADS.c.id, _HEADS.c.key)
        .where(_HEADS.c.key.in_(sorted(set(keys))))
        .order_by(_HEADS.c.key)
        .with_for_update()
    )
    repaired = []
    for head_id, key in heads.all():
        drift = _drift_of(session, head_id, key)
        if drift is not None:
            session.connection().execute(
                update(_HEADS)
                .where(_HEADS.c.id == head_id)
                .values(
                    reserved=drift.recomputed.reserved,
                    consumed=drift.recomputed.consumed,
                    reserved_uses=drift.recomputed.reserved_uses,
                    consumed_uses=drift.recomputed.consumed_uses,
                )
            )
            repaired.append(drift)
    return repaired


def _drift_of(session: Session, head_id: int, key: str) -> Drift | None:
    connection = session.connection()
    row = connection.execute(
        select(
            _HEADS.c.reserved, _HEADS.c.consumed, _HEADS.c.reserved_uses, _HEADS.c.consumed_uses
        ).where(_HEADS.c.id == head_id)
    ).one()
    stored = Holding(Decimal(row[0]), Decimal(row[1]), row[2], row[3])
    recomputed = Holding()
    for kind, quantity, uses in connection.execute(
        select(_ENTRIES.c.kind, func.sum(_ENTRIES.c.quantity), func.sum(_ENTRIES.c.uses))
        .where(_ENTRIES.c.head_id == head_id)
        .group_by(_ENTRIES.c.kind)
    ):
        recomputed = recomputed.apply(Entry(EntryKind(kind), "", Decimal(quantity), int(uses)))
    if agree(stored, recomputed, exact_sums(session)):
        return None
    return Drift(key, stored, recomputed)


#: The float noise SQLite's sums may carry once read with 4 decimals (see the docstring).
_FLOAT_NOISE = Decimal("0.0001")


def exact_sums(session: Session) -> bool:
    """Whether the store's quantity sums are exact (PostgreSQL), not floats (SQLite)."""
    return session.get_bind().dialect.name != "sqlite"


def agree(stored: Holding, recomputed: Holding, exact: bool) -> bool:
    """Whether two holdings are the same balance (to the float noise, where sums are floats)."""
    if exact or stored == recomputed:
        return stored == recomputed
    return (
        stored.reserved_uses == recomputed.reserved_uses
        and stored.consumed_uses == recomputed.consumed_uses
        and abs(stored.reserved - recomputed.reserved) <= _FLOAT_NOISE
        and abs(stored.consumed - recomputed.consumed) <= _FLOAT_NOISE
    )
