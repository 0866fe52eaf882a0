"""Licence balances: uses left (one batch or up to 12) and quantity left with tolerance.

The balance comes from the ledger snapshot the pipeline supplies (before this declaration draws);
a licence with no entry in the snapshot counts as unused.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.claims import cites_licence, licence_claims
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule


@rule(
    "LIC-007",
    1,
    zh="许可证件使用次数未超限",
    en="Licence has a use left",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def uses(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """A one-batch licence is used once; a non-one-batch licence at most ``max_uses`` times."""
    for claim in licence_claims(context):
        if claim.licence is None:
            continue
        balance = claim.balance(context)
        left = balance.uses_available
        if left is not None and left < 1:
            kind_zh = "一批一证" if claim.licence.one_batch else "非一批一证"
            yield self.finding(
                zh=f"许可证件 {claim.number}（{kind_zh}）可用次数"
                f" {claim.licence.max_uses} 次已用完",
                en=f"licence {claim.number} has been used {balance.totals.held_uses} of"
                f" {claim.licence.max_uses} time(s)",
                evidence=evidence(
                    licence=claim.number,
                    max_uses=claim.licence.max_uses,
                    uses_taken=balance.totals.held_uses,
                ),
            )


@rule(
    "LIC-008",
    1,
    zh="许可证件余量足够",
    en="Licence quantity suffices",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def quantity(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Declared quantity ≤ left × (1 + tolerance); overshipment within tolerance is noted."""
    for claim in licence_claims(context):
        licence = claim.licence
        if licence is None:
            continue
        for sequence in claim.unmeasured:
            yield self.finding(
                zh=f"第{sequence}项未以许可证件计量单位 {licence.unit} 申报数量，无法核扣",
                en=f"item {sequence} gives no quantity in the licence unit {licence.unit};"
                " it cannot be written off",
                evidence=evidence(licence=claim.number, unit=licence.unit),
                item=sequence,
                severity=Severity.DOCUMENTS,
            )
        balance = claim.balance(context)
        available, nominal = balance.available, balance.nominal_available
        if available is None or nominal is None or claim.quantity <= nominal:
            continue
        values = evidence(
            licence=claim.number,
            declared=claim.quantity,
            unit=licence.unit,
            remaining=nominal,
            tolerance=licence.tolerance,
            limit_remaining=available,
        )
        if claim.quantity > available:
            yield self.finding(
                zh=f"许可证件 {claim.number} 余量 {nominal} {licence.unit}（含溢装 {available}），"
                f"申报 {claim.quantity}，超出",
                en=f"licence {claim.number}: {claim.quantity} {licence.unit} declared, only"
                f" {nominal} left ({available} with the overshipment tolerance)",
                evidence=values,
            )
        else:
            yield self.finding(
                zh=f"许可证件 {claim.number} 申报数量在溢装比例 {licence.tolerance} 范围内",
                en=f"licence {claim.number}: {claim.quantity} {licence.unit} uses the overshipment"
                f" tolerance ({nominal} left without it)",
                evidence=values,
                severity=Severity.INFO,
            )


RULES: tuple[Rule, ...] = (uses, quantity)
