"""Ledger head locks taken at commit instead of for the whole unit of work (PostgreSQL intake).

A ledger never hands out more than its allowance: until now every draw took the head's row lock
(``SELECT … FOR UPDATE``) and kept it until the unit of work committed. For the intake pipeline
that unit is a whole interchange, so a worker processing 1,000 declarations held the licences and
certificates of its traders for all of it, and every other worker drawing on one of them waited
(issue 15, ADR 0013).

In a unit that defers its locks (:func:`defer_locks`, set by the pipeline on PostgreSQL) heads are
read without a lock, balances are derived as before from the committed entries and the unit's
own, and every head the unit *reserves* on is remembered. As the unit commits (a
``before_commit`` hook) those heads are locked in key order and their balances checked again:
if what is held now exceeds the allowance (another worker drew on the same ledger meanwhile and
committed first), the commit raises :class:`LedgerRaceError` and the caller runs the unit again,
which then sees the other draw. The locks are held for that check and the commit only.

Only a reservation can take a ledger over its allowance (consuming moves held amounts, releases
and returns lower them), so only reservations are checked. On SQLite one writer holds the whole
database for the unit anyway; nothing is deferred there.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from clearance.store.control_tables import LedgerEntry, LedgerHead
from clearance.store.counters import on_postgresql
from clearance.store.deferred import transaction_cache, write_deferred
from rules.ledger import Allowance, Balance, Entry, EntryKind, Holding

_DEFERRED = "ledgers.deferred"
#: How often the pipeline runs a unit again after losing a race for a ledger.
ATTEMPTS = 5


class LedgerRaceError(RuntimeError):
    """Another unit of work drew on the same ledger and committed first: run this one again."""


def defer_locks(session: Session) -> None:
    """Take ledger head locks at commit for the rest of this transaction (PostgreSQL only)."""
    if on_postgresql(session):
        session.connection()  # begin the transaction the flag belongs to
        transaction_cache(session, _DEFERRED)["on"] = True


def deferring(session: Session) -> bool:
    """Whether this transaction reads heads without locks and checks its reservations at commit."""
    return bool(transaction_cache(session, _DEFERRED))


def watch(session: Session, head: LedgerHead) -> None:
    """Check ``head`` at commit: this unit reserved on it."""
    transaction_cache(session, _DEFERRED).setdefault("heads", set()).add(head.id)


# First of the commit hooks (insert=True), whatever the import order: the event log's hook
# takes its counter lock last, so two committing units never wait for each other crosswise.
@event.listens_for(Session, "before_commit", insert=True)
def _check_at_commit(session: Session) -> None:
    # Only the root commit: a savepoint's release is not the end of the unit of work.
    if session.in_nested_transaction():
        return
    watched: set[int] = transaction_cache(session, _DEFERRED).get("heads", set())
    if not watched:
        return
    # The unit's other rows first, so the locks below are held for the check and the commit.
    write_deferred(session)
    session.flush()
    heads = session.scalars(
        select(LedgerHead)
        .where(LedgerHead.id.in_(watched))
        .order_by(LedgerHead.key)
        # FOR NO KEY UPDATE: the entries other units inserted hold KEY SHARE locks on their
        # heads until they commit (the foreign key); FOR UPDATE would wait on them, crosswise.
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    totals = _totals(session, [h.id for h in heads])
    for head in heads:
        allowance = Allowance(head.quantity, head.unit, Decimal(head.tolerance), head.max_uses)
        if not Balance(allowance, totals.get(head.id, Holding())).can_draw(Decimal(0), 0):
            raise LedgerRaceError(f"ledger {head.key}: drawn on by another unit of work meanwhile")


def _totals(session: Session, head_ids: list[int]) -> dict[int, Holding]:
    """What each head holds in all, from the signed sums of its entries per kind."""
    rows = session.execute(
        select(
            LedgerEntry.head_id,
            LedgerEntry.kind,
            func.sum(LedgerEntry.quantity),
            func.sum(LedgerEntry.uses),
        )
        .where(LedgerEntry.head_id.in_(head_ids))
        .group_by(LedgerEntry.head_id, LedgerEntry.kind)
    )
    out: dict[int, Holding] = {}
    for head_id, kind, quantity, uses in rows:
        entry = Entry(EntryKind(kind), "", Decimal(quantity), int(uses))
        out[head_id] = out.get(head_id, Holding()).apply(entry)
    return out
