"""Tariff-quota periods: a period's balance opens when it begins and is closed when it ends.

Order numbers are per period (``CN-WHEAT-2026``), and each has its own ledger head
(:mod:`clearance.ledgers.quotas`), so a new period never inherits the last one's draws. The
daily roll-over opens the head of every quota whose period covers today, with the full
volume, before the first declaration of the period asks for it, and announces it; a period
that ended is announced closed once with what it used (consumed, still reserved by
undecided declarations, unused). Both are idempotent: heads are created once, notices are
made once (``housekeeping_notices``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from clearance.ledgers.accounts import HeadSpec, balances, ensure_heads, lock_heads
from clearance.ledgers.quotas import quota_key
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.notices import announce_once
from rules.ledger import Allowance
from tariffs.measures import Quota


@dataclass(frozen=True, slots=True)
class RolledOver:
    """What one roll-over did: periods opened and closed now."""

    opened: tuple[str, ...]
    closed: tuple[str, ...]


def roll_over(session: Session, quotas: Iterable[Quota], today: date, now: datetime) -> RolledOver:
    """Open the heads of quota periods covering ``today``; announce opened and ended periods."""
    by_order = {q.order_number: q for q in quotas}
    current = [q for q in by_order.values() if q.period_from <= today <= q.period_to]
    ended = [q for q in by_order.values() if q.period_to < today]
    ensure_heads(session, [_spec(q) for q in current], now)
    heads = lock_heads(session, [quota_key(q.order_number) for q in current + ended])
    held = balances(session, heads)
    opened, closed = [], []
    for quota in sorted(current, key=lambda q: q.order_number):
        balance = held[quota_key(quota.order_number)]
        data = _data(quota) | {"available": _fmt(balance.available or Decimal(0))}
        if announce_once(session, EventKind.QUOTA_PERIOD_OPENED, quota.order_number, data, now):
            opened.append(quota.order_number)
    for quota in sorted(ended, key=lambda q: q.order_number):
        found = held.get(quota_key(quota.order_number))
        consumed = found.totals.consumed if found else Decimal(0)
        reserved = found.totals.reserved if found else Decimal(0)
        data = _data(quota) | {
            "consumed": _fmt(consumed),
            "reserved": _fmt(reserved),
            "unused": _fmt(quota.volume - consumed - reserved),
        }
        if announce_once(session, EventKind.QUOTA_PERIOD_CLOSED, quota.order_number, data, now):
            closed.append(quota.order_number)
    return RolledOver(tuple(opened), tuple(closed))


def _spec(quota: Quota) -> HeadSpec:
    return HeadSpec(
        quota_key(quota.order_number),
        "quota",
        quota.order_number,
        Allowance(quota.volume, quota.unit),
    )


def _data(quota: Quota) -> dict[str, str]:
    return {
        "order_number": quota.order_number,
        "volume": _fmt(quota.volume),
        "unit": quota.unit,
        "period_from": quota.period_from.isoformat(),
        "period_to": quota.period_to.isoformat(),
    }


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")
