"""Duty expressions stored as components, evaluated in ``Decimal`` and read back in words.

An expression is a list of components, each either *ad valorem* (a percentage of a base) or
*specific* (an amount of money per unit of quantity), with an operator:

* ``+``   — adds to the duty (``3% + CNY 4,374.00/piece`` is a compound duty);
* ``max`` — "subject to a maximum of" (EU/UK ``MAX``): the duty is ``min(duty, cap)``;
* ``min`` — "subject to a minimum of" (EU/UK ``MIN``): the duty is ``max(duty, floor)``.

``MAX`` computes a *minimum* and ``MIN`` a *maximum*; that is easy to get backwards, which is why
the operators are named for what the tariff says, and :meth:`Evaluator.amount` spells it out.
The floor is applied before the cap, so a capped expression never exceeds its cap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from tariffs.errors import ExchangeRateError
from tariffs.units import unit

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Op(StrEnum):
    """How a component combines with the others."""

    ADD = "+"
    MAX = "max"  # subject to a maximum of → min(duty, cap)
    MIN = "min"  # subject to a minimum of → max(duty, floor)


@dataclass(frozen=True, slots=True)
class DutyComponent:
    """One component: ``percent`` (ad valorem) or ``amount`` ``currency`` per ``unit`` (specific).

    ``equivalents`` lets a specific component be charged on a quantity of another dimension:
    ``(("l", Decimal(988)),)`` on a per-tonne component means "1 t = 988 l" (China's conversion
    for beer consumption tax *(verify)*).
    """

    op: Op = Op.ADD
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    unit: str | None = None
    equivalents: tuple[tuple[str, Decimal], ...] = ()

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a component has either a percent or an amount, not both")
        value = self.percent if self.percent is not None else self.amount
        if value is None or not value.is_finite() or value < 0:
            raise ValueError("a duty component must be a finite, non-negative number")
        if self.amount is not None:
            if not self.currency or not self.unit:
                raise ValueError("a specific component needs a currency and a unit")
            own = unit(self.unit).dimension
            for other, factor in self.equivalents:
                if unit(other).dimension == own or factor <= 0:
                    raise ValueError(f"equivalent {other!r} must be another dimension, > 0")
        elif self.currency or self.unit or self.equivalents:
            raise ValueError("an ad valorem component has no currency, unit or equivalents")

    @property
    def is_specific(self) -> bool:
        """True for an amount per unit."""
        return self.amount is not None


@dataclass(frozen=True, slots=True)
class DutyExpression:
    """A duty expression: its components in the order the tariff states them."""

    components: tuple[DutyComponent, ...]

    def __post_init__(self) -> None:
        if not any(c.op is Op.ADD for c in self.components):
            raise ValueError("an expression needs at least one '+' component")

    @property
    def words(self) -> str:
        """The expression in English words, e.g. ``12% subject to a maximum of CNY 5.00/kg``."""
        return _words(self, "en")

    @property
    def words_zh(self) -> str:
        """The expression in Chinese, e.g. ``12%，最高 5.00元/千克``."""
        return _words(self, "zh")

    @property
    def ad_valorem_fraction(self) -> Decimal | None:
        """The rate as a fraction if the expression is a single ad valorem component, else None."""
        if len(self.components) == 1 and self.components[0].percent is not None:
            return self.components[0].percent / HUNDRED
        return None

    @property
    def has_limits(self) -> bool:
        """True if the expression has a maximum or a minimum."""
        return any(c.op is not Op.ADD for c in self.components)

    @property
    def currencies(self) -> frozenset[str]:
        """Currencies of the specific components."""
        return frozenset(c.currency for c in self.components if c.currency)


def ad_valorem(percent: str | int | Decimal) -> DutyExpression:
    """Shorthand for a one-component ad valorem expression (tests, samples)."""
    return DutyExpression((DutyComponent(percent=Decimal(percent)),))


def format_money(value: Decimal) -> str:
    """Thousands separators and at least two decimals (``4,374.00``, ``0.003``)."""
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}"


def _component_words(c: DutyComponent, lang: str) -> str:
    if c.percent is not None:
        return f"{c.percent}%"
    assert c.amount is not None
    assert c.unit is not None
    u = unit(c.unit)
    if lang == "zh":
        money = f"{format_money(c.amount)}元" if c.currency == "CNY" else f"{c.currency} "
        if c.currency != "CNY":
            money += format_money(c.amount)
        text = f"{money}/{u.label_zh}"
        for other, n in c.equivalents:
            text += f"（1{u.label_zh}={n}{unit(other).label_zh}）"
        return text
    text = f"{c.currency} {format_money(c.amount)}/{u.label_en}"
    for other, n in c.equivalents:
        text += f" (1 {u.label_en} = {n} {unit(other).label_en})"
    return text


@lru_cache(maxsize=4096)
def _words(expression: DutyExpression, lang: str) -> str:
    parts: dict[Op, list[str]] = {Op.ADD: [], Op.MIN: [], Op.MAX: []}
    for c in expression.components:
        parts[c.op].append(_component_words(c, lang))
    text = " + ".join(parts[Op.ADD]) if lang == "en" else "+".join(parts[Op.ADD])
    if parts[Op.MIN]:
        text += (
            f" subject to a minimum of {' + '.join(parts[Op.MIN])}"
            if lang == "en"
            else f"，最低 {'+'.join(parts[Op.MIN])}"
        )
    if parts[Op.MAX]:
        text += (
            f" subject to a maximum of {' + '.join(parts[Op.MAX])}"
            if lang == "en"
            else f"，最高 {'+'.join(parts[Op.MAX])}"
        )
    return text


class MissingQuantityError(Exception):
    """A specific component needs a quantity the item does not declare."""


class _Specific:
    """A specific component ready to charge: money per *base* unit of its dimension."""

    __slots__ = ("alternates", "dimension", "needs", "per_base")

    def __init__(
        self,
        per_base: Decimal,
        dimension: str,
        alternates: tuple[tuple[str, Decimal, Decimal], ...],
        needs: str,
    ) -> None:
        self.per_base = per_base
        self.dimension = dimension
        self.alternates = alternates  # (dimension, amount, divisor): charge = q * amount / divisor
        self.needs = needs

    def charge(self, quantities: Mapping[str, Decimal]) -> Decimal:
        """The specific charge on ``quantities`` (a base-unit quantity per dimension)."""
        q = quantities.get(self.dimension)
        if q is not None:
            return q * self.per_base
        for dimension, amount, divisor in self.alternates:
            q = quantities.get(dimension)
            if q is not None:
                return q * amount / divisor
        raise MissingQuantityError(self.needs)


class Evaluator:
    """A compiled expression: all amounts in the assessment currency, units in base units."""

    __slots__ = ("cap", "floor", "fraction", "simple", "specifics")

    @property
    def has_specifics(self) -> bool:
        """True if any part (cap and floor included) charges per unit of quantity."""
        parts = (self, self.floor, self.cap)
        return any(p is not None and p.specifics for p in parts)

    def __init__(
        self,
        fraction: Decimal,
        specifics: tuple[_Specific, ...],
        floor: Evaluator | None,
        cap: Evaluator | None,
    ) -> None:
        self.fraction = fraction
        self.specifics = specifics
        self.floor = floor
        self.cap = cap
        #: Ad valorem only: the duty is ``base * fraction`` (the hot path skips the call).
        self.simple = not specifics and floor is None and cap is None

    def amount(self, base: Decimal, quantities: Mapping[str, Decimal]) -> Decimal:
        """The duty on ``base`` (value) and ``quantities`` (dimension → base-unit quantity).

        Unrounded. Raises :class:`MissingQuantityError` when a specific part has no quantity.
        """
        duty = base * self.fraction
        for s in self.specifics:
            duty += s.charge(quantities)
        if self.floor is not None:  # MIN: "subject to a minimum of" → the larger
            floor = self.floor.amount(base, quantities)
            if duty < floor:
                duty = floor
        if self.cap is not None:  # MAX: "subject to a maximum of" → the smaller
            cap = self.cap.amount(base, quantities)
            if duty > cap:
                duty = cap
        return duty

    def specific(self, quantities: Mapping[str, Decimal]) -> Decimal:
        """Only the specific ('+') part of the expression (consumption tax uses it)."""
        total = ZERO
        for s in self.specifics:
            total += s.charge(quantities)
        return total


def compile_expression(
    expression: DutyExpression,
    currency: str,
    fx: Callable[[str], Decimal] | None = None,
) -> Evaluator:
    """Compile ``expression`` for assessment in ``currency``.

    ``fx(code)`` returns how many units of ``currency`` one unit of ``code`` is worth; it is
    needed only when a specific component is in another currency.
    """

    def build(op: Op) -> Evaluator | None:
        comps = [c for c in expression.components if c.op is op]
        if not comps:
            return None
        fraction = sum((c.percent for c in comps if c.percent is not None), ZERO) / HUNDRED
        specifics = tuple(_compile_specific(c, currency, fx) for c in comps if c.is_specific)
        return Evaluator(fraction, specifics, None, None)

    main = build(Op.ADD)
    assert main is not None  # guaranteed by DutyExpression.__post_init__
    main.floor = build(Op.MIN)
    main.cap = build(Op.MAX)
    main.simple = not main.specifics and main.floor is None and main.cap is None
    return main


def _compile_specific(
    c: DutyComponent, currency: str, fx: Callable[[str], Decimal] | None
) -> _Specific:
    assert c.amount is not None
    assert c.unit is not None
    assert c.currency is not None
    amount = c.amount
    if c.currency != currency:
        if fx is None:
            raise ExchangeRateError(f"no exchange rate given to convert {c.currency} to {currency}")
        amount = amount * fx(c.currency)
    u = unit(c.unit)
    alternates = tuple(
        (unit(other).dimension, amount, n * unit(other).factor) for other, n in c.equivalents
    )
    dims = " or ".join([u.dimension, *(unit(o).dimension for o, _ in c.equivalents)])
    needs = f"{_component_words(c, 'en')} needs a quantity in {dims}"
    return _Specific(amount / u.factor, u.dimension, alternates, needs)
