"""Unit-price outliers against reference price ranges (价格风险参数).

The reference range is the most specific one in force on ``as_of`` (longest commodity-code prefix,
origin-specific before general) in a unit the item is declared in. The unit price is compared in
the range's currency: the item's own currency, or CNY when the pipeline supplies the CNY value.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi.model import GoodsItem
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule
from rules.registry import PriceRange

_PLACES = Decimal("0.0001")


def unit_price(context: ControlContext, item: GoodsItem) -> tuple[Decimal, PriceRange] | None:
    """The item's unit price in the currency and unit of its reference range, with the range."""
    registries, as_of = context.registries, context.as_of
    code, origin = item.commodity_code, item.origin_country
    tried: tuple[str, ...] = ()
    # The quantities that can divide the value, in order of preference (no list built: this
    # runs for every item of every declaration); only a positive one can.
    for quantity in (
        item.quantity,
        item.statutory_quantity,
        item.second_statutory_quantity,
        item.net_mass,
    ):
        if quantity is None or not quantity.value > 0:
            continue
        unit = quantity.unit
        # A unit already tried gives the same range, and the same total in its currency: an
        # item states its quantity and net mass in the same unit (KGM) more often than not.
        if unit in tried:
            continue
        tried += (unit,)
        found = registries.price_range(code, origin, unit, as_of)
        if found is None:
            continue
        total = _total_in(context, item, found.currency)
        if total is not None:
            return (total / quantity.value).quantize(_PLACES), found
    return None


def _total_in(context: ControlContext, item: GoodsItem, currency: str) -> Decimal | None:
    if item.value is not None and item.value.currency == currency:
        return item.value.value
    if currency == "CNY":
        return context.values_cny.get(item.sequence)
    return None


@rule(
    "SAN-005",
    1,
    zh="单价在参考价格区间内",
    en="Unit price is within the reference range",
    severity=Severity.WARNING,
)
def price_range(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Below the range suggests undervaluation, above it overvaluation; an officer looks."""
    for item in context.declaration.items:
        priced = unit_price(context, item)
        if priced is None:
            continue
        price, reference = priced
        if reference.low <= price <= reference.high:
            continue
        side_en, side_zh = ("below", "低于") if price < reference.low else ("above", "高于")
        per = f"{reference.currency}/{reference.unit}"
        yield self.finding(
            zh=f"第{item.sequence}项单价 {price} {per} {side_zh}参考区间"
            f" {reference.low}–{reference.high}",
            en=f"item {item.sequence}: unit price {price} {per} is {side_en} the reference range"
            f" {reference.low} to {reference.high}",
            evidence=evidence(
                commodity_code=item.commodity_code,
                origin=item.origin_country,
                unit_price=price,
                low=reference.low,
                high=reference.high,
                currency=reference.currency,
                unit=reference.unit,
                range_code=reference.commodity_code,
                source=reference.source,
            ),
            item=item.sequence,
        )


RULES: tuple[Rule, ...] = (price_range,)
