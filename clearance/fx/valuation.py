"""Amounts in CNY and USD at the official rate of a day (the declaration day, the value date).

The rates are those of the newest tariff schedule of the China regime (``customs tariff load``),
found under the regime's own rule: the same rate the assessment of that day used. Each amount
is converted on its own and rounded to the cent; totals are sums of converted amounts, never a
converted sum (CNY and USD growth can differ).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from clearance.assessment import tariff_store
from core.errors import CustomsError
from tariffs import Schedule
from tariffs.errors import ExchangeRateError
from tariffs.rates import RateRule
from tariffs.regimes import load_regime

CENT = Decimal("0.01")
USD = "USD"
CNY = "CNY"


class NoRatesError(CustomsError):
    """No schedule with exchange rates is loaded, or a currency has no rate on a day."""

    code = "fx_no_rate"


class Converter:
    """Converts amounts at the official rate of their day; one per unit of work."""

    def __init__(self, schedule: Schedule, rule: RateRule) -> None:
        self._rates = schedule.rates
        self._rule = rule

    @classmethod
    def of_store(cls, session: Session) -> Converter:
        """The converter of the newest China schedule (else the newest schedule at all)."""
        schedule = tariff_store.latest(session, "cn") or tariff_store.latest(session)
        if schedule is None:
            raise NoRatesError("no tariff schedule is loaded: load one for its exchange rates")
        return cls(schedule, load_regime("cn").exchange_rate.rule)

    def domestic(self, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` of ``currency`` in the schedule's domestic currency on ``day``, unrounded."""
        try:
            return amount * self._rates.lookup(currency, day, self._rule).rate
        except ExchangeRateError as exc:
            raise NoRatesError(f"no official {currency} rate for {day}: {exc.message}") from exc

    def to(self, target: str, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` of ``currency`` in ``target`` on ``day``, rounded half up to the cent."""
        value = self.domestic(amount, currency, day)
        if target != self._rates.domestic:
            value = value / self.domestic(Decimal(1), target, day)
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
