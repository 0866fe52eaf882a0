"""Monthly totals per trader from the store, their indicators, and the class history.

Goods count in the month of the declaration day (current rows of ``fx_goods``); receipts and
payments in the month of the day ``settlement_lag_working_days`` working days before their value
date, so a receipt that follows the goods a few weeks later is matched with them. Everything is
in USD at the official rate of its own day.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.store.fx_tables import FxClass, FxGoods, FxTransaction
from rules.fx import (
    ClassDecision,
    CurrentClass,
    FxPolicy,
    Grade,
    Indicators,
    MonthTotals,
    Ruling,
    classify,
    compute_indicators,
    month_of,
)
from rules.fx.indicators import shift_months
from rules.working_days import WorkingCalendar

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TraderFlows:
    """One trader's monthly totals and the office of its latest declaration (its district)."""

    trader: str
    office: str | None
    months: dict[date, MonthTotals]


def load_flows(
    session: Session,
    first_month: date,
    last_month: date,
    policy: FxPolicy,
    calendar: WorkingCalendar,
    trader: str | None = None,
) -> dict[str, TraderFlows]:
    """Monthly totals of every trader (or one) with flows in [first_month, last_month]."""
    end = shift_months(last_month, 1)
    buckets: dict[str, dict[date, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    offices: dict[str, tuple[date, str]] = {}
    goods = (
        select(
            FxGoods.trader,
            FxGoods.flow,
            FxGoods.declared_on,
            FxGoods.office,
            func.sum(FxGoods.value_usd),
        )
        .where(FxGoods.current, FxGoods.declared_on >= first_month, FxGoods.declared_on < end)
        .group_by(FxGoods.trader, FxGoods.flow, FxGoods.declared_on, FxGoods.office)
    )
    if trader is not None:
        goods = goods.where(FxGoods.trader == trader)
    for who, flow, day, office, usd in session.execute(goods):
        buckets[who][month_of(day)]["exports" if flow == "export" else "imports"] += usd or ZERO
        if who not in offices or offices[who][0] <= day:
            offices[who] = (day, office)
    # A receipt up to the lag after the window still pays for goods inside it.
    lag = policy.settlement_lag_working_days
    horizon = end + timedelta(days=2 * lag + 30)  # generous: attribution below is exact
    funds = (
        select(
            FxTransaction.trader,
            FxTransaction.kind,
            FxTransaction.value_date,
            func.sum(FxTransaction.amount_usd),
        )
        .where(FxTransaction.value_date >= first_month, FxTransaction.value_date < horizon)
        .group_by(FxTransaction.trader, FxTransaction.kind, FxTransaction.value_date)
    )
    if trader is not None:
        funds = funds.where(FxTransaction.trader == trader)
    attributed: dict[date, date] = {}
    for who, kind, day, usd in session.execute(funds):
        if day not in attributed:
            attributed[day] = month_of(calendar.back(day, lag))
        month = attributed[day]
        if first_month <= month < end:
            buckets[who][month]["receipts" if kind == "receipt" else "payments"] += usd or ZERO
    return {
        who: TraderFlows(
            who,
            offices[who][1] if who in offices else None,
            {m: MonthTotals(**t) for m, t in months.items()},
        )
        for who, months in buckets.items()
    }


def current_classes(session: Session, traders: list[str] | None = None) -> dict[str, FxClass]:
    """The class in force per trader: its newest history row."""
    newest = select(func.max(FxClass.id)).group_by(FxClass.trader)
    query = select(FxClass).where(FxClass.id.in_(newest))
    if traders is not None:
        query = query.where(FxClass.trader.in_(traders))
    return {row.trader: row for row in session.scalars(query)}


def class_history(session: Session, trader: str) -> list[FxClass]:
    """Every class notice of ``trader``, newest first."""
    query = select(FxClass).where(FxClass.trader == trader).order_by(FxClass.id.desc())
    return list(session.scalars(query))


def as_current(row: FxClass | None, ruling: Ruling | None = None) -> CurrentClass | None:
    """The history row (and the ruling it was given on, if any) as the classification reads it."""
    if row is None:
        return None
    return CurrentClass(Grade(row.grade), row.valid_from, row.valid_until, ruling)


def first_month_needed(last_month: date, policy: FxPolicy) -> date:
    """The first month whose totals the window ending ``last_month`` and its run of
    consecutive breaches can read."""
    return shift_months(last_month, 2 - policy.window_months - policy.consecutive_breaches)


def indicators_of(flows: TraderFlows, last_month: date, policy: FxPolicy) -> Indicators:
    """The trader's indicators for the window ending ``last_month``."""
    return compute_indicators(flows.months, last_month, policy, policy.threshold(flows.office))


def record_class(
    session: Session,
    trader: str,
    decision: ClassDecision,
    indicators: Indicators,
    policy: FxPolicy,
    now: datetime,
    actor: str,
) -> FxClass:
    """Append a class notice to the trader's history."""
    row = FxClass(
        trader=trader,
        grade=decision.grade.value,
        valid_from=decision.valid_from,
        valid_until=decision.valid_until,
        objection_deadline=decision.objection_deadline,
        reasons=json.dumps(
            [{"code": r.code, "text": r.text} for r in decision.reasons], ensure_ascii=False
        ),
        indicators=json.dumps(indicators_json(indicators)),
        policy_version=f"{policy.id}@{policy.version}",
        classified_at=now,
        actor=actor,
    )
    session.add(row)
    return row


def indicators_json(i: Indicators) -> dict[str, Any]:
    """The indicators as JSON (amounts and ratios as strings, exactly)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "period_from": i.period_from.strftime("%Y-%m"),
        "period_to": i.period_to.strftime("%Y-%m"),
        "imports_usd": str(i.totals.imports),
        "exports_usd": str(i.totals.exports),
        "receipts_usd": str(i.totals.receipts),
        "payments_usd": str(i.totals.payments),
        "total_gap_usd": str(i.total_gap),
        "gap_ratio": text(i.gap_ratio),
        "funds_to_goods": text(i.funds_to_goods),
        "receipt_ratio": text(i.receipt_ratio),
        "threshold_ratio": str(i.threshold.gap_ratio),
        "threshold_floor_usd": str(i.threshold.gap_floor_usd),
        "deviation": text(i.deviation),
        "breach": i.breach,
        "consecutive_breaches": i.consecutive_breaches,
        "on_site_candidate": i.on_site_candidate,
    }


def classify_trader(
    flows: TraderFlows,
    current: FxClass | None,
    last_month: date,
    as_of: date,
    policy: FxPolicy,
    calendar: WorkingCalendar,
    ruling: Ruling | None = None,
) -> tuple[Indicators, ClassDecision]:
    """Indicators and the class decision of one trader (nothing stored); ``ruling``: the
    granted objection ``current`` was given on (:func:`clearance.fx.objections.rulings`)."""
    found = indicators_of(flows, last_month, policy)
    return found, classify(found, as_current(current, ruling), as_of, policy, calendar)
