"""Ledger head locks taken at commit instead of for the whole unit of work (PostgreSQL intake).

A ledger never hands out more than its allowance: until now every draw took the head's row lock
(``SELECT … FOR UPDATE``) and kept it until the unit of work committed. For the intake pipeline
that unit is a whole interchange, so a worker processing 1,000 declarations held the licences and
certificates of its traders for all of it, and every other worker drawing on one of them waited
(issue 15, ADR 0013).

In a unit that defers its locks (:func:`defer_locks`, set by the pipeline on PostgreSQL) heads are
read without a lock, balances are read as before from the heads' running balances and the unit's
own entries, and every head the unit *reserves* on is remembered. As the unit commits (a
``before_commit`` hook, :mod:`clearance.ledgers.balances`) the unit's increments lock those heads
in key order and return their balances, checked again: if what is held now exceeds the
allowance (another worker drew on the same ledger meanwhile and committed first), the commit
raises :class:`LedgerRaceError` and the caller runs the unit again, which then sees the other
draw. The locks are held for that check and the commit only.

Only a reservation can take a ledger over its allowance (consuming moves held amounts, releases
and returns lower them), so only reservations are checked. On SQLite one writer holds the whole
database for the unit anyway; nothing is deferred there.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clearance.store.control_tables import LedgerHead
from clearance.store.counters import on_postgresql
from clearance.store.deferred import transaction_cache

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


def watched(session: Session) -> set[int]:
    """The ids of the heads this unit reserved on (checked at commit)."""
    heads: set[int] = transaction_cache(session, _DEFERRED).get("heads", set())
    return heads
