"""Ledgers in the database: heads with their allowance and running balance, immutable entries.

Every operation takes the head rows it touches with ``SELECT … FOR UPDATE`` in key order (so two
workers never deadlock), reads the head's running balance (:mod:`clearance.ledgers.balances`:
one row, however many entries the head has) and the declaration's own holding (``SUM`` over its
few entries on the head), lets the pure arithmetic of :mod:`rules.ledger` decide, and appends
the entries it returns, adding them to the running balance in the same transaction. On SQLite
the whole database is locked at ``BEGIN IMMEDIATE``, which serialises writers the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import BindParameter, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.ledgers import balances as running
from clearance.ledgers.deferral import LedgerRaceError, deferring, watch
from clearance.store.control_tables import LedgerEntry, LedgerHead
from clearance.store.counters import create_apart, on_postgresql
from clearance.store.deferred import defer_row, transaction_cache, write_deferred
from rules.ledger import Allowance, Balance, Entry, EntryKind, Holding, LedgerState, Refusal


@dataclass(frozen=True, slots=True)
class HeadSpec:
    """A ledger to create when first drawn on: key, kind, document and allowance."""

    key: str
    kind: str
    document: str
    allowance: Allowance


@dataclass(frozen=True, slots=True)
class Ref:
    """The declaration (number and version) a movement is booked for."""

    number: str
    version: int


def ensure_heads(session: Session, specs: Iterable[HeadSpec], now: datetime) -> None:
    """Create the heads that do not exist yet (a concurrent creator wins quietly)."""
    locked = transaction_cache(session, _LOCKED)
    wanted = {s.key: s for s in specs if s.key not in locked}
    if not wanted:
        return  # every head is locked in this transaction already: it exists
    if session.get_bind().dialect.name == "sqlite":
        # The unit holds SQLite's write lock from its BEGIN: reading the heads that exist is
        # locking them, so they are read as lock_heads would read them (the same statement)
        # and kept for it: one statement instead of a key SELECT here and the lock SELECT
        # after, for the usual case of heads that exist (a unit's first draw on a ledger).
        _read_heads(session, sorted(wanted), locked)
        created = [_head_values(wanted[key], now) for key in sorted(wanted.keys() - locked)]
        if created:
            # One statement for all, no SAVEPOINT each: a head another unit created first
            # (it cannot while this one holds the write lock) is the same ledger, and is kept.
            session.connection().execute(_INSERT_HEAD_SQLITE, created)
        return
    # On the unit's connection: heads are only ever inserted with Core statements, so the
    # ORM has nothing pending to flush for this query (its autoflush cost more than the query).
    known = set(session.connection().scalars(_HEAD_KEYS, {"keys": list(wanted)}))
    created = [_head_values(wanted[key], now) for key in sorted(set(wanted) - known)]
    if not created:
        return
    if on_postgresql(session):
        for values in created:
            # Committed at once (ADR 0013): a second worker drawing on the same new ledger
            # finds the head instead of waiting for this unit of work to end.
            statement = pg_insert(LedgerHead).values(**values)
            create_apart(session, statement.on_conflict_do_nothing(index_elements=["key"]))
        return
    for values in created:
        try:
            with session.begin_nested():
                session.connection().execute(_INSERT_HEAD, values)
        except IntegrityError:
            pass  # another worker created it first; its row is the same ledger


def _head_values(spec: HeadSpec, now: datetime) -> dict[str, object]:
    allowance = spec.allowance
    return {
        "key": spec.key,
        "kind": spec.kind,
        "document": spec.document,
        "unit": allowance.unit,
        "quantity": allowance.quantity,
        "tolerance": allowance.tolerance,
        "max_uses": allowance.max_uses,
        "created_at": now,
        "reserved": Decimal(0),
        "consumed": Decimal(0),
        "reserved_uses": 0,
        "consumed_uses": 0,
    }


def lock_heads(session: Session, keys: Iterable[str]) -> dict[str, LedgerHead]:
    """The heads of ``keys``, row-locked until the transaction ends, locked in key order.

    A head locked earlier in the same transaction stays locked until it ends, so it is not
    selected again (the declarations of one interchange draw on the same licences): the
    session's object is the one a new SELECT would have returned from its identity map.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    locked: dict[str, LedgerHead] = transaction_cache(session, _LOCKED)
    missing = sorted(wanted - locked.keys())
    if missing:
        _read_heads(session, missing, locked)
    return {key: locked[key] for key in sorted(wanted) if key in locked}


def _read_heads(session: Session, keys: list[str], locked: dict[str, LedgerHead]) -> None:
    """Select the heads of ``keys`` (sorted) under row lock into ``locked`` (those that exist)."""
    # else locked at commit, for a check (ledgers.deferral)
    query = _HEADS if deferring(session) else _HEADS_FOR_UPDATE
    rows = session.scalars(query, {"keys": keys}).all()
    locked.update((row.key, row) for row in rows)


# Built once: they run for every declaration that draws on a ledger (building the statement
# cost more than running it).
_KEYS: BindParameter[list[str]] = bindparam("keys", expanding=True)
_HEAD_KEYS = select(LedgerHead.key).where(LedgerHead.key.in_(_KEYS))
# Without autoflush: heads are only ever inserted with Core statements, and a head the ORM
# holds with a change not yet flushed is returned as that same object (the identity map), so
# flushing first changed nothing these statements return (it cost more than the query).
_HEADS = (
    select(LedgerHead)
    .where(LedgerHead.key.in_(_KEYS))
    .order_by(LedgerHead.key)
    .execution_options(autoflush=False)
)
_HEADS_FOR_UPDATE = _HEADS.with_for_update()
_INSERT_HEAD = insert(cast(Table, LedgerHead.__table__))
_INSERT_HEAD_SQLITE = sqlite_insert(cast(Table, LedgerHead.__table__)).on_conflict_do_nothing(
    index_elements=["key"]
)
#: The keys of the heads a declaration has entries on (Core: entries are only ever inserted
#: with Core statements, so the ORM has nothing pending to flush first).
_HELD_BY = (
    select(LedgerHead.key)
    .join(LedgerEntry, LedgerEntry.head_id == LedgerHead.id)
    .where(LedgerEntry.declaration_number == bindparam("number"))
    .distinct()
)


def allowance_of(head: LedgerHead) -> Allowance:
    """The allowance a head stores."""
    return Allowance(head.quantity, head.unit, Decimal(head.tolerance), head.max_uses)


_ENTRIES = cast(Table, LedgerEntry.__table__)
#: The signed sums per kind of one declaration on a head: built once (statement building cost
#: more than this indexed sum over the declaration's few entries), run as Core (entries are
#: only ever inserted with Core statements, so the ORM has nothing pending to flush first).
_DECLARATION_SUMS = (
    select(_ENTRIES.c.kind, func.sum(_ENTRIES.c.quantity), func.sum(_ENTRIES.c.uses))
    .where(_ENTRIES.c.declaration_number == bindparam("number"))
    .where(_ENTRIES.c.head_id == bindparam("head_id"))
    .group_by(_ENTRIES.c.kind)
)


#: The heads locked in the current transaction, by key (:func:`lock_heads`).
_LOCKED = "ledgers.locked"
#: The sums per kind of (head id, declaration number), kept for the rest of the transaction
#: (:func:`_sums`).
_SUMS = "ledgers.sums"
#: Declarations that held nothing when the transaction began → the keys of the heads
#: :func:`apply` has booked entries on for them since (:func:`holds_nothing_yet`).
_FRESH = "ledgers.fresh"
#: Entries are stored with 4 decimals (``Numeric(20, 4)``): the sums the cache keeps are the
#: sums the database would return.
_STORED = Decimal("0.0001")
Sums = dict[EntryKind, tuple[Decimal, int]]


def _sums(session: Session, head_id: int, number: str) -> Sums:
    """The signed sums per kind of one declaration on a head, summed once per transaction.

    A declaration drawing on a licence was summed again for every reservation and consumption.
    The head is row-locked for the whole transaction (:func:`lock_heads`; SQLite locks the
    database), so only this transaction adds entries to it, and :func:`apply` adds each entry
    it inserts to the sums kept here; the cache ends with the transaction (and is never trusted
    after a rollback: :func:`clearance.store.deferred.transaction_cache`).
    """
    cache = transaction_cache(session, _SUMS)
    sums: Sums | None = cache.get((head_id, number))
    if sums is None:
        write_deferred(session)  # entries queued in this unit are summed too
        rows = session.connection().execute(
            _DECLARATION_SUMS, {"head_id": head_id, "number": number}
        )
        sums = cache[(head_id, number)] = {
            EntryKind(kind): (Decimal(quantity), int(uses)) for kind, quantity, uses in rows
        }
    return sums


def holds_nothing_yet(session: Session, number: str, head_ids: Iterable[int] = ()) -> None:
    """Record that declaration ``number`` has no entries on any ledger yet.

    For a declaration registered in the current transaction (a number just drawn): its first
    reservation on ``head_ids`` then knows its own holding without the per-declaration SUM
    (:func:`_sums`), and the heads it holds later in the transaction are those :func:`apply`
    booked for it (entries are inserted nowhere else), without a search (:func:`heads_held_by`).
    """
    transaction_cache(session, _FRESH).setdefault(number, {})
    cache = transaction_cache(session, _SUMS)
    for head_id in head_ids:
        cache.setdefault((head_id, number), {})


def _remember(session: Session, head_id: int, number: str, entries: Iterable[Entry]) -> None:
    """Add inserted ``entries`` to the sums kept for the declaration on the head."""
    cache = transaction_cache(session, _SUMS)
    key = (head_id, number)
    sums: Sums | None = cache.get(key)
    if sums is not None:  # else not summed yet: the first SUM will include the new rows
        for entry in entries:
            stored = entry.quantity.quantize(_STORED)
            if stored != entry.quantity:
                # More than 4 decimals: the store rounds it its own way (SQLite through a
                # float, PostgreSQL half up), so the next balance is summed by the store.
                del cache[key]
                break
            quantity, uses = sums.get(entry.kind, (Decimal("0.0000"), 0))
            sums[entry.kind] = (quantity + stored, uses + entry.uses)


def _holding(session: Session, head_id: int, number: str | None = None) -> Holding:
    if number is None:  # the whole head: its running balance, one row
        return running.held(session, head_id)
    holding = Holding()
    for kind, (quantity, uses) in _sums(session, head_id, number).items():
        # The balance is a signed sum per kind, so applying the sums is applying every entry.
        holding = holding.apply(Entry(kind, "", quantity, uses))
    return holding


def balances(session: Session, heads: dict[str, LedgerHead]) -> dict[str, Balance]:
    """The derived balance of each locked head, by key."""
    return {
        key: Balance(allowance_of(head), _holding(session, head.id)) for key, head in heads.items()
    }


def state(session: Session, head: LedgerHead, number: str) -> LedgerState:
    """The head's state as far as the arithmetic needs it: totals and ``number``'s holding."""
    holding = _holding(session, head.id, number)
    return LedgerState(allowance_of(head), (), _holding(session, head.id), {number: holding})


def apply(
    session: Session,
    head: LedgerHead,
    ref: Ref,
    operation: str,
    now: datetime,
    quantity: Decimal | None = None,
    uses: int = 1,
) -> Refusal | None:
    """Run ``operation`` (reserve, consume, release, give_back) for ``ref``; book its entries."""
    current = state(session, head, ref.number)
    if operation == "reserve":
        assert quantity is not None
        result = current.reserve(ref.number, quantity, uses)
    elif operation == "consume":
        result = current.consume(ref.number, quantity)
    elif operation == "release":
        result = current.release(ref.number)
    else:
        result = current.give_back(ref.number)
    if isinstance(result, Refusal):
        if operation == "reserve" and deferring(session):
            # Checked on a balance read without a lock: another unit drew meanwhile.
            raise LedgerRaceError(f"ledger {head.key}: {result.message}")
        return result
    if operation == "reserve" and deferring(session):
        watch(session, head)
    # Queued with the interchange's other rows (one multi-row INSERT for all its entries, ids
    # in the order booked): one INSERT per reservation and per consumption cost more than the
    # rest of the draw. Every reader of entries in this unit writes the queue first
    # (:func:`_sums`, :func:`heads_held_by`, the write-off); the balances are the heads'
    # running ones, kept in step by :mod:`clearance.ledgers.balances`.
    for e in result.entries:
        defer_row(
            session,
            LedgerEntry,
            {
                "head_id": head.id,
                "kind": e.kind.value,
                "quantity": e.quantity,
                "uses": e.uses,
                "declaration_number": ref.number,
                "declaration_version": ref.version,
                "created_at": now,
            },
        )
    _remember(session, head.id, ref.number, result.entries)
    running.add(session, head, result.entries)
    booked = transaction_cache(session, _FRESH).get(ref.number)
    if booked is not None:
        booked[head.key] = None
    return None


def heads_held_by(session: Session, number: str) -> dict[str, LedgerHead]:
    """Every head ``number`` has entries on, row-locked in key order."""
    booked = transaction_cache(session, _FRESH).get(number)
    if booked is not None:  # it held nothing before this transaction: those booked since
        return lock_heads(session, list(booked))
    write_deferred(session)  # entries queued in this unit are searched too
    keys = session.connection().scalars(_HELD_BY, {"number": number}).all()
    return lock_heads(session, keys)


def settle(session: Session, ref: Ref, operation: str, now: datetime) -> list[str]:
    """Consume (``consume``) or give back (``release``/``give_back``) all of ``ref``'s holdings.

    Returns the keys moved; heads where the declaration holds nothing to move are skipped.
    """
    moved = []
    for key, head in heads_held_by(session, ref.number).items():
        if apply(session, head, ref, operation, now) is None:
            moved.append(key)
    return moved
