"""Official exchange rates with validity, and the regime's rule for picking one.

A rate is stored as published (``quoted`` per ``per`` units, in either direction) and normalised
to ``rate``: units of the *domestic* (assessment) currency for one unit of the foreign currency.

Rules (the regime profile names one):

* ``validity`` — the record whose validity covers the date (a monthly customs rate table).
* ``third_wednesday_previous_month`` — the records are daily fixings (``valid_from`` = fixing
  date); the rate for a date is the fixing of the third Wednesday of the previous month, or the
  latest fixing before it when none was published that day *(China practice, verify)*.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from tariffs.errors import ExchangeRateError
from tariffs.measures import in_force


class RateRule(StrEnum):
    """How the official rate for a date is found."""

    VALIDITY = "validity"
    THIRD_WEDNESDAY_PREVIOUS_MONTH = "third_wednesday_previous_month"


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """One official rate: ``rate`` domestic units per one unit of ``currency``."""

    currency: str
    rate: Decimal
    valid_from: date
    valid_to: date | None
    source: str
    quoted: Decimal
    per: Decimal = Decimal(1)
    domestic_per_foreign: bool = True


def normalise(quoted: Decimal, per: Decimal, domestic_per_foreign: bool) -> Decimal:
    """Domestic units per one foreign unit from a published quotation."""
    if domestic_per_foreign:
        return quoted / per
    return per / quoted


def third_wednesday(year: int, month: int) -> date:
    """The third Wednesday of ``year``-``month``."""
    first = date(year, month, 1)
    offset = (2 - first.weekday()) % 7  # Monday=0 … Wednesday=2
    return first + timedelta(days=offset + 14)


def previous_month_third_wednesday(as_of: date) -> date:
    """The third Wednesday of the month before ``as_of``'s month."""
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    return third_wednesday(year, month)


class ExchangeRateTable:
    """All rates of a schedule, indexed per currency by start date."""

    def __init__(self, domestic: str, rates: Iterable[ExchangeRate]) -> None:
        self.domestic = domestic
        by_currency: dict[str, list[ExchangeRate]] = {}
        for r in rates:
            by_currency.setdefault(r.currency, []).append(r)
        self._rates = {c: sorted(rs, key=lambda r: r.valid_from) for c, rs in by_currency.items()}
        self._starts = {c: [r.valid_from for r in rs] for c, rs in self._rates.items()}
        self._unit = ExchangeRate(domestic, Decimal(1), date.min, None, "domestic", Decimal(1))
        # (currency, date, rule) → rate: declarations of a day ask the same few questions.
        self._memo: dict[tuple[str, date, RateRule], ExchangeRate] = {}

    @property
    def currencies(self) -> frozenset[str]:
        """Currencies with at least one rate (the domestic currency included)."""
        return frozenset(self._rates) | {self.domestic}

    def quoted(self, rate: ExchangeRate) -> str:
        """The rate as published, e.g. ``CNY 7.0655 per 1 USD`` or ``1.1702 EUR per 1 GBP``."""
        if rate.domestic_per_foreign:
            return f"{self.domestic} {rate.quoted} per {rate.per} {rate.currency}"
        return f"{rate.quoted} {rate.currency} per {rate.per} {self.domestic}"

    def all(self) -> tuple[ExchangeRate, ...]:
        """Every rate, by currency then date."""
        return tuple(r for c in sorted(self._rates) for r in self._rates[c])

    def lookup(
        self, currency: str, as_of: date, rule: RateRule = RateRule.VALIDITY
    ) -> ExchangeRate:
        """The official rate for ``currency`` on ``as_of`` under ``rule``.

        Raises :class:`ExchangeRateError` when there is none.
        """
        if currency == self.domestic:
            return self._unit
        key = (currency, as_of, rule)
        found = self._memo.get(key)
        if found is None:
            found = self._lookup(currency, as_of, rule)
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _lookup(self, currency: str, as_of: date, rule: RateRule) -> ExchangeRate:
        starts = self._starts.get(currency)
        if not starts:
            raise ExchangeRateError(f"no exchange rate for {currency}")
        if rule is RateRule.THIRD_WEDNESDAY_PREVIOUS_MONTH:
            fixing = previous_month_third_wednesday(as_of)
            i = bisect.bisect_right(starts, fixing) - 1
            if i >= 0:
                return self._rates[currency][i]
            raise ExchangeRateError(f"no {currency} fixing on or before {fixing} (for {as_of})")
        i = bisect.bisect_right(starts, as_of) - 1
        if i >= 0:
            found = self._rates[currency][i]
            if in_force(found.valid_from, found.valid_to, as_of):
                return found
        raise ExchangeRateError(f"no {currency} rate valid on {as_of}")
