"""Data sanity: masses, arithmetic and totals that must agree within the declaration.

Tolerances come from :class:`rules.context.ControlPolicy` *(policy)*. A net mass above the gross
mass is impossible and rejects; sums that do not add up are warnings for an officer to look at.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from edi.model import GoodsItem, Quantity
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule


def _net_above_gross(net: Quantity | None, gross: Quantity | None) -> bool:
    return (
        net is not None and gross is not None and net.unit == gross.unit and net.value > gross.value
    )


@rule(
    "SAN-001", 1, zh="净重不大于毛重", en="Net mass does not exceed gross", severity=Severity.REJECT
)
def net_gross(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Header and every item: net ≤ gross (same unit)."""
    declaration = context.declaration
    if _net_above_gross(declaration.net_mass, declaration.gross_mass):
        yield self.finding(
            zh=f"表头净重 {declaration.net_mass} 大于毛重 {declaration.gross_mass}",
            en=f"header net mass {declaration.net_mass} exceeds gross mass"
            f" {declaration.gross_mass}",
            evidence=evidence(net=declaration.net_mass, gross=declaration.gross_mass),
        )
    for item in declaration.items:
        if _net_above_gross(item.net_mass, item.gross_mass):
            yield self.finding(
                zh=f"第{item.sequence}项净重 {item.net_mass} 大于毛重 {item.gross_mass}",
                en=f"item {item.sequence}: net mass {item.net_mass} exceeds gross"
                f" {item.gross_mass}",
                evidence=evidence(net=item.net_mass, gross=item.gross_mass),
                item=item.sequence,
            )


@rule(
    "SAN-002",
    1,
    zh="数量×单价与总价相符",
    en="Quantity × unit price equals the item total",
    severity=Severity.WARNING,
)
def item_arithmetic(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Tolerance: the larger of the absolute and the relative value tolerance."""
    policy = context.policy
    for item in context.declaration.items:
        quantity, price, total = item.quantity, item.unit_price, item.value
        if quantity is None or price is None or total is None or price.currency != total.currency:
            continue
        computed = quantity.value * price.value
        allowed = max(policy.value_tolerance, abs(total.value) * policy.relative_value_tolerance)
        if abs(computed - total.value) > allowed:
            yield self.finding(
                zh=f"第{item.sequence}项 {quantity.value}×{price.value}={computed}，申报总价"
                f" {total.value}",
                en=f"item {item.sequence}: {quantity.value} × {price.value} = {computed}, declared"
                f" total {total.value} {total.currency}",
                evidence=evidence(
                    quantity=quantity.value,
                    unit_price=price.value,
                    computed=computed,
                    declared=total.value,
                    currency=total.currency,
                    tolerance=allowed,
                ),
                item=item.sequence,
            )


@rule(
    "SAN-003",
    1,
    zh="各项总价之和与发票总价相符",
    en="Item totals add up to the invoice total",
    severity=Severity.WARNING,
)
def invoice_total(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Compared only when every item is priced in the invoice currency."""
    declaration = context.declaration
    invoice = declaration.invoice_total
    if invoice is None:
        return
    currency = invoice.currency
    # One pass, no generators (it runs for every declaration): the same sum, left to right
    # from Decimal(0), as sum() would give.
    total = Decimal(0)
    for item in declaration.items:
        value = item.value
        if value is None or value.currency != currency:
            return
        total += value.value
    if abs(total - invoice.value) > context.policy.value_tolerance:
        yield self.finding(
            zh=f"各项总价之和 {total} 与发票总价 {invoice.value} {invoice.currency} 不符",
            en=f"items add up to {total}, the invoice total is {invoice.value} {invoice.currency}",
            evidence=evidence(
                items_total=total, invoice_total=invoice.value, currency=invoice.currency
            ),
        )


@rule(
    "SAN-004",
    1,
    zh="表头重量与各项重量之和相符",
    en="Header masses equal the sum of the items",
    severity=Severity.WARNING,
)
def mass_totals(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Gross and net separately, when every item states the mass in the header's unit."""
    declaration = context.declaration
    for name, header in (("gross", declaration.gross_mass), ("net", declaration.net_mass)):
        if header is None:
            continue
        total = _mass_total(declaration.items, name == "gross", header.unit)
        if total is None:
            continue
        allowed = header.value * context.policy.mass_tolerance
        if abs(total - header.value) > allowed:
            zh_name = "毛重" if name == "gross" else "净重"
            yield self.finding(
                zh=f"表头{zh_name} {header} 与各项之和 {total} {header.unit} 不符",
                en=f"header {name} mass {header} differs from the items' {total} {header.unit}",
                evidence=evidence(
                    mass=name,
                    header=header.value,
                    items_total=total,
                    unit=header.unit,
                    tolerance=allowed,
                ),
            )


def _mass_total(items: Sequence[GoodsItem], gross: bool, unit: str) -> Decimal | None:
    """The items' gross (or net) masses summed left to right from ``Decimal(0)``, or None when
    an item states none or states it in another unit than ``unit``."""
    total = Decimal(0)
    for item in items:
        mass = item.gross_mass if gross else item.net_mass
        if mass is None or mass.unit != unit:
            return None
        total += mass.value
    return total


RULES: tuple[Rule, ...] = (net_gross, item_arithmetic, invoice_total, mass_totals)
