"""Bank feeds in the store: kept as received first, then imported whole or refused whole."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from clearance.fx.bank_feed import BankFeedError, BankRow, parse_feed
from clearance.fx.valuation import USD, Converter, NoRatesError
from clearance.store.fx_tables import FxBankFeed, FxTransaction

RECEIVED, IMPORTED, REFUSED = "received", "imported", "refused"


@dataclass(frozen=True, slots=True)
class FeedImported:
    """What an import did: rows read, transactions new, rows already held (same content)."""

    feed_id: int
    rows: int
    created: int
    unchanged: int
    receipts: int  # new receipts
    payments: int  # new payments


def receive(
    session: Session, name: str | None, content: bytes, actor: str, now: datetime
) -> FxBankFeed:
    """Keep the file as received (status ``received``), before it is parsed."""
    feed = FxBankFeed(
        filename=name,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        status=RECEIVED,
        actor=actor,
        received_at=now,
    )
    session.add(feed)
    session.flush()
    return feed


def import_feed(session: Session, feed_id: int) -> FeedImported:
    """Parse stored feed ``feed_id`` and add its new transactions, all or nothing.

    A (bank, reference) already held with the same content is left as it is (a file sent
    again changes nothing); with other content it is a problem of that line. Raises
    :class:`BankFeedError` naming every problem by line and column.
    """
    feed = session.get_one(FxBankFeed, feed_id)
    name = feed.filename or f"bank feed {feed_id}"
    rows = parse_feed(name, feed.content)
    held = _held(session, [(r.bank, r.reference) for r in rows])
    converter = Converter.of_store(session)
    problems: list[str] = []
    new: list[FxTransaction] = []
    for row in rows:
        existing = held.get((row.bank, row.reference))
        if existing is not None:
            if not _same(existing, row):
                problems.append(
                    f"line {row.line}, column 2 (reference): {row.bank} {row.reference} was "
                    f"imported before (feed {existing.feed_id} line {existing.line}) with other "
                    "content; a bank reference is never reused"
                )
            continue
        try:
            usd = converter.to(USD, row.amount, row.currency, row.value_date)
        except NoRatesError as exc:
            problems.append(f"line {row.line}, column 6 (currency): {exc.message}")
            continue
        new.append(_transaction(feed_id, row, usd))
    if problems:
        raise BankFeedError(name, problems)
    session.add_all(new)
    feed.status, feed.rows, feed.created = IMPORTED, len(rows), len(new)
    session.flush()
    return FeedImported(
        feed_id=feed_id,
        rows=len(rows),
        created=len(new),
        unchanged=len(rows) - len(new),
        receipts=sum(t.kind == "receipt" for t in new),
        payments=sum(t.kind == "payment" for t in new),
    )


def refuse(session: Session, feed_id: int, error: str) -> None:
    """Mark stored feed ``feed_id`` refused, with the problems."""
    feed = session.get_one(FxBankFeed, feed_id)
    feed.status, feed.error = REFUSED, error


def _held(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], FxTransaction]:
    held: dict[tuple[str, str], FxTransaction] = {}
    for start in range(0, len(keys), 500):  # bounded IN lists (SQLite's parameter limit)
        query = select(FxTransaction).where(
            tuple_(FxTransaction.bank, FxTransaction.reference).in_(keys[start : start + 500])
        )
        held.update(((t.bank, t.reference), t) for t in session.scalars(query))
    return held


def _same(t: FxTransaction, r: BankRow) -> bool:
    return (t.trader, t.kind, t.value_date, t.currency, t.amount) == (
        r.trader,
        r.kind,
        r.value_date,
        r.currency,
        r.amount,
    )


def _transaction(feed_id: int, r: BankRow, usd: Decimal) -> FxTransaction:
    return FxTransaction(
        feed_id=feed_id,
        line=r.line,
        bank=r.bank,
        reference=r.reference,
        trader=r.trader,
        kind=r.kind,
        value_date=r.value_date,
        currency=r.currency,
        amount=r.amount,
        amount_usd=usd,
    )
