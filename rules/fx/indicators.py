"""The indicators of one trader over a rolling window of months, from monthly USD totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.fx.policy import FxPolicy, Threshold

ZERO = Decimal(0)
RATIO = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """A trader's goods and funds of one month, in USD."""

    imports: Decimal = ZERO
    exports: Decimal = ZERO
    receipts: Decimal = ZERO
    payments: Decimal = ZERO

    def __add__(self, other: MonthTotals) -> MonthTotals:
        return MonthTotals(
            self.imports + other.imports,
            self.exports + other.exports,
            self.receipts + other.receipts,
            self.payments + other.payments,
        )


@dataclass(frozen=True, slots=True)
class Indicators:
    """One trader's indicators for the window ending with month ``period_to``."""

    period_from: date  # first day of the first month
    period_to: date  # first day of the last month
    totals: MonthTotals
    total_gap: Decimal  # (imports + receipts) − (exports + payments)
    gap_ratio: Decimal | None  # gap / (imports + exports + receipts + payments); None: no flows
    funds_to_goods: Decimal | None  # (receipts + payments) / (exports + imports)
    receipt_ratio: Decimal | None  # receipts / exports
    threshold: Threshold
    #: How far |gap ratio| is beyond the threshold, as a fraction of it (0.5 = 50% beyond);
    #: negative when within it.
    deviation: Decimal | None
    breach: bool
    consecutive_breaches: int  # months in a row, ending with this one, that were breaches
    large_deviation: bool
    persistent_breach: bool  # the policy's number of consecutive breaches reached
    on_site_candidate: bool

    def conditions(self) -> frozenset[str]:
        """The policy conditions that hold (names of :data:`rules.fx.policy.Condition`)."""
        held = {
            "breach": self.breach,
            "large_deviation": self.large_deviation,
            "consecutive_breaches": self.persistent_breach,
            "on_site_candidate": self.on_site_candidate,
        }
        return frozenset(name for name, holds in held.items() if holds)


def month_of(day: date) -> date:
    """The first day of ``day``'s month (the key of monthly totals)."""
    return day.replace(day=1)


def shift_months(month: date, months: int) -> date:
    """``month`` (a first day) moved by ``months`` (negative: back)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def compute_indicators(
    months: Mapping[date, MonthTotals], last_month: date, policy: FxPolicy, threshold: Threshold
) -> Indicators:
    """The indicators for the window ending with ``last_month`` (monthly totals by first day).

    The consecutive breaches are counted by computing the same window ending one month
    earlier, then another, until one is not a breach (at most the policy's count).
    """
    last_month = month_of(last_month)
    run = 0
    while run < policy.consecutive_breaches:
        totals = _window(months, shift_months(last_month, -run), policy.window_months)
        if not _is_breach(totals, threshold):
            break
        run += 1
    totals = _window(months, last_month, policy.window_months)
    gap = totals.imports + totals.receipts - totals.exports - totals.payments
    flows = totals.imports + totals.exports + totals.receipts + totals.payments
    goods = totals.imports + totals.exports
    ratio = _ratio(gap, flows)
    deviation = (
        None if ratio is None else _ratio(abs(ratio) - threshold.gap_ratio, threshold.gap_ratio)
    )
    breach = run > 0
    large = breach and deviation is not None and deviation >= policy.on_site_excess
    return Indicators(
        period_from=shift_months(last_month, 1 - policy.window_months),
        period_to=last_month,
        totals=totals,
        total_gap=gap,
        gap_ratio=ratio,
        funds_to_goods=_ratio(totals.receipts + totals.payments, goods),
        receipt_ratio=_ratio(totals.receipts, totals.exports),
        threshold=threshold,
        deviation=deviation,
        breach=breach,
        consecutive_breaches=run,
        large_deviation=large,
        persistent_breach=run >= policy.consecutive_breaches,
        on_site_candidate=large or run >= policy.consecutive_breaches,
    )


def _window(months: Mapping[date, MonthTotals], last: date, length: int) -> MonthTotals:
    total = MonthTotals()
    for back in range(length):
        found = months.get(shift_months(last, -back))
        if found is not None:
            total = total + found
    return total


def _is_breach(totals: MonthTotals, threshold: Threshold) -> bool:
    gap = totals.imports + totals.receipts - totals.exports - totals.payments
    flows = totals.imports + totals.exports + totals.receipts + totals.payments
    if not flows:
        return False
    # Both exceeded: the ratio and the absolute floor (a small trader's 40% is no alarm).
    return abs(gap) / flows > threshold.gap_ratio and abs(gap) > threshold.gap_floor_usd


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(RATIO)
