"""Running balances on ledger heads: read one row instead of summing a head's history.

A tariff quota open for a year gathers one entry per declaration drawing on it, and its balance
was the ``SUM`` of all of them at every check (issue 15). Each head now keeps the four signed
sums its balance is made of (reserved, consumed and their uses, :class:`rules.ledger.Holding`).
Every entry :func:`clearance.ledgers.accounts.apply` books is added to what this transaction
owes its head (:func:`add`), and the debts are written as increments
(``reserved = reserved + …``) once per head before the transaction commits (a ``before_commit``
hook), so the stored balance is the sum of the committed entries whatever another unit of work
committed meanwhile. The entries stay the record: :mod:`clearance.ledgers.recompute` compares.

Reads (:func:`held`) take the head's row once per transaction plus what the transaction added
since. The head row is locked by then (``SELECT … FOR UPDATE`` in key order, or SQLite's
database lock) except in a unit that defers its locks (:mod:`clearance.ledgers.deferral`): there
the increments at commit lock the heads in key order and, for the heads it reserved on, return
the new balance, checked against the allowance: over it, the commit raises
:class:`~clearance.ledgers.deferral.LedgerRaceError` and the unit runs again.

Rounding: entries are stored with 4 decimals. PostgreSQL rounds each one half away from zero,
so the increments add each entry rounded the same way and the balance is exactly their sum.
SQLite keeps what it is given (a float): an entry with more than 4 decimals is written to its
head at once and the next read takes the row again, as the old per-transaction sums did.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from sqlalchemy import Numeric, Table, bindparam, event, select, update
from sqlalchemy.orm import Session

from clearance.ledgers.deferral import LedgerRaceError, deferring, watched
from clearance.store.control_tables import LedgerHead
from clearance.store.counters import on_postgresql
from clearance.store.deferred import transaction_cache, write_deferred
from rules.ledger import Allowance, Balance, Entry, Holding

_HEADS = cast(Table, LedgerHead.__table__)
#: Entries are stored with 4 decimals (``Numeric(20, 4)``).
_STORED = Decimal("0.0001")
#: head id → the head's row as first read in this transaction (:func:`held`).
_READ = "ledgers.balance_read"
#: head id → what this transaction added to the head and has not written yet (:func:`add`).
_OWED = "ledgers.balance_owed"


@dataclass(slots=True)
class _Owed:
    key: str  # heads are written in key order, the order every lock is taken in
    delta: Holding


# Built once: run for every head a transaction touches.
_BALANCE = select(
    _HEADS.c.reserved, _HEADS.c.consumed, _HEADS.c.reserved_uses, _HEADS.c.consumed_uses
).where(_HEADS.c.id == bindparam("head_id"))
_ADD = (
    update(_HEADS)
    .where(_HEADS.c.id == bindparam("head_id"))
    .values(
        reserved=_HEADS.c.reserved + bindparam("d_reserved", type_=Numeric(20, 4)),
        consumed=_HEADS.c.consumed + bindparam("d_consumed", type_=Numeric(20, 4)),
        reserved_uses=_HEADS.c.reserved_uses + bindparam("d_reserved_uses"),
        consumed_uses=_HEADS.c.consumed_uses + bindparam("d_consumed_uses"),
    )
)
#: The increment that returns what the check at commit needs (deferred locks, PostgreSQL).
_ADD_RETURNING = _ADD.returning(
    _HEADS.c.key,
    _HEADS.c.quantity,
    _HEADS.c.unit,
    _HEADS.c.tolerance,
    _HEADS.c.max_uses,
    _HEADS.c.reserved,
    _HEADS.c.consumed,
    _HEADS.c.reserved_uses,
    _HEADS.c.consumed_uses,
)


def held(session: Session, head_id: int) -> Holding:
    """What the head holds in all, as this transaction sees it (its own entries included)."""
    read: dict[int, Holding] = transaction_cache(session, _READ)
    base = read.get(head_id)
    if base is None:
        row = session.connection().execute(_BALANCE, {"head_id": head_id}).one()
        base = read[head_id] = Holding(Decimal(row[0]), Decimal(row[1]), int(row[2]), int(row[3]))
    owed: _Owed | None = transaction_cache(session, _OWED).get(head_id)
    return base if owed is None else _plus(base, owed.delta)


def add(session: Session, head: LedgerHead, entries: tuple[Entry, ...]) -> None:
    """Add the entries just inserted for ``head`` to its balance (written before commit)."""
    owed_all: dict[int, _Owed] = transaction_cache(session, _OWED)
    owed = owed_all.get(head.id)
    if owed is None:
        owed = owed_all[head.id] = _Owed(head.key, Holding())
    postgresql = on_postgresql(session)
    write_now = False
    for entry in entries:
        quantity = entry.quantity
        if quantity.quantize(_STORED) != quantity:  # more than 4 decimals
            if postgresql:  # the column rounds it so: add what it stores
                quantity = quantity.quantize(_STORED, ROUND_HALF_UP)
            else:  # SQLite stores it as given: let the store add it up (see the docstring)
                write_now = True
        owed.delta = owed.delta.apply(Entry(entry.kind, "", quantity, entry.uses))
    if write_now:
        _write(session, {head.id: owed_all.pop(head.id)}, set())
        transaction_cache(session, _READ).pop(head.id, None)


def _plus(base: Holding, delta: Holding) -> Holding:
    return Holding(
        base.reserved + delta.reserved,
        base.consumed + delta.consumed,
        base.reserved_uses + delta.reserved_uses,
        base.consumed_uses + delta.consumed_uses,
    )


def _write(session: Session, owed: dict[int, _Owed], check: set[int]) -> None:
    """Add what is owed to each head, in key order; check the heads in ``check``."""
    params = [
        {
            "head_id": head_id,
            "d_reserved": o.delta.reserved,
            "d_consumed": o.delta.consumed,
            "d_reserved_uses": o.delta.reserved_uses,
            "d_consumed_uses": o.delta.consumed_uses,
        }
        for head_id, o in sorted(owed.items(), key=lambda item: item[1].key)
    ]
    connection = session.connection()
    if not check:
        connection.execute(_ADD, params)
        return
    for values in params:
        # One by one, in key order: each UPDATE locks its head (FOR NO KEY UPDATE, which the
        # entries other units insert do not conflict with) until the commit.
        row = connection.execute(_ADD_RETURNING, values).one()
        if values["head_id"] not in check:
            continue
        allowance = Allowance(row.quantity, row.unit, Decimal(row.tolerance), row.max_uses)
        totals = Holding(
            Decimal(row.reserved), Decimal(row.consumed), row.reserved_uses, row.consumed_uses
        )
        if not Balance(allowance, totals).can_draw(Decimal(0), 0):
            raise LedgerRaceError(f"ledger {row.key}: drawn on by another unit of work meanwhile")


# First of the commit hooks (insert=True), whatever the import order: the event log's hook
# takes its counter lock last, so two committing units never wait for each other crosswise.
@event.listens_for(Session, "before_commit", insert=True)
def _write_at_commit(session: Session) -> None:
    # Only the root commit: a savepoint's release is not the end of the unit of work.
    if session.in_nested_transaction():
        return
    owed: dict[int, _Owed] = transaction_cache(session, _OWED)
    if not owed:
        return
    check = watched(session) if deferring(session) else set()
    if check:
        # The unit's other rows first, so the head locks taken below are held for the check
        # and the commit only.
        write_deferred(session)
        session.flush()
    pending = dict(owed)
    owed.clear()  # written once, even if the check below raises
    _write(session, pending, check)
