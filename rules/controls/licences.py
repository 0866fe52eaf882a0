"""Licences and permits (许可证件): registered, in force, held by the trader, covering the goods.

Every licence the declaration cites (at item or header level, see :mod:`rules.claims`) is checked
against the registry and its ledger balance: status, holder, direction, commodity codes, validity on
``as_of``, uses left (one batch or up to 12) and quantity left with the overshipment tolerance.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.claims import LicenceClaim, cites_licence, licence_claims
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule
from rules.registry import Licence, LicenceStatus


def _known(context: ControlContext) -> Iterator[tuple[LicenceClaim, Licence]]:
    for claim in licence_claims(context):
        if claim.licence is not None:
            yield claim, claim.licence


def _item(claim: LicenceClaim) -> int | None:
    return claim.items[0].sequence if len(claim.items) == 1 else None


def _items(claim: LicenceClaim) -> tuple[str, ...]:
    return tuple(str(item.sequence) for item in claim.items)


@rule(
    "LIC-001",
    1,
    zh="许可证件已登记",
    en="Licence is registered",
    severity=Severity.DOCUMENTS,
    guard=cites_licence,
)
def registered(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """A cited licence number unknown to the registry must be checked on paper."""
    for claim in licence_claims(context):
        if claim.licence is None:
            yield self.finding(
                zh=f"许可证件 {claim.number} 未在登记库中找到，须人工核验",
                en=f"licence {claim.number} is not in the registry; it must be checked by hand",
                evidence=evidence(
                    licence=claim.number, code=claim.document.code, items=_items(claim)
                ),
                item=_item(claim),
            )


@rule(
    "LIC-002",
    1,
    zh="许可证件状态有效",
    en="Licence status is active",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def active(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Suspended, revoked or cancelled licences cannot be used."""
    for claim, licence in _known(context):
        if licence.status is not LicenceStatus.ACTIVE:
            yield self.finding(
                zh=f"许可证件 {claim.number} 状态为 {licence.status.value}，不可使用",
                en=f"licence {claim.number} is {licence.status.value} and cannot be used",
                evidence=evidence(licence=claim.number, status=licence.status.value),
                item=_item(claim),
            )


@rule(
    "LIC-003",
    1,
    zh="持证人与收发货人一致",
    en="Licence holder is the trader",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def holder(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """The licence holder's USCC must be the domestic consignee's (consignor's) USCC."""
    for claim, licence in _known(context):
        if licence.holder_uscc != context.trader_uscc:
            yield self.finding(
                zh=f"许可证件 {claim.number} 持证人 {licence.holder_uscc} 与申报收发货人"
                f" {context.trader_uscc} 不一致",
                en=f"licence {claim.number} is held by {licence.holder_uscc}, not by the declared"
                f" trader {context.trader_uscc}",
                evidence=evidence(
                    licence=claim.number, holder=licence.holder_uscc, trader=context.trader_uscc
                ),
                item=_item(claim),
            )


@rule(
    "LIC-004",
    1,
    zh="许可证件进出口方向一致",
    en="Licence direction matches",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def direction(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """An import licence does not cover an export, and the reverse."""
    declared = context.declaration.direction
    for claim, licence in _known(context):
        if licence.direction is not declared:
            yield self.finding(
                zh=f"许可证件 {claim.number} 用于{_zh(licence.direction.value)}，本申报为"
                f"{_zh(declared.value)}",
                en=f"licence {claim.number} is for {licence.direction.value}, the declaration is"
                f" an {declared.value}",
                evidence=evidence(
                    licence=claim.number,
                    licence_direction=licence.direction.value,
                    declared_direction=declared.value,
                ),
                item=_item(claim),
            )


def _zh(direction: str) -> str:
    return "进口" if direction == "import" else "出口"


@rule(
    "LIC-005",
    1,
    zh="许可证件涵盖申报商品",
    en="Licence covers the goods",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def commodity(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Each item drawing on a licence must fall under one of its commodity codes."""
    for claim, licence in _known(context):
        if not claim.items:
            yield self.finding(
                zh=f"许可证件 {claim.number} 不涵盖本申报任何商品",
                en=f"licence {claim.number} covers none of the declared goods",
                evidence=evidence(licence=claim.number, licence_codes=licence.commodity_codes),
            )
        for item in claim.items:
            if not licence.covers(item.commodity_code):
                yield self.finding(
                    zh=f"第{item.sequence}项商品编号 {item.commodity_code} 不在许可证件"
                    f" {claim.number} 范围内",
                    en=f"item {item.sequence}: {item.commodity_code} is not covered by licence"
                    f" {claim.number}",
                    evidence=evidence(
                        licence=claim.number,
                        commodity_code=item.commodity_code,
                        licence_codes=licence.commodity_codes,
                    ),
                    item=item.sequence,
                )


@rule(
    "LIC-006",
    1,
    zh="许可证件在有效期内",
    en="Licence is valid on the date",
    severity=Severity.REJECT,
    guard=cites_licence,
)
def validity(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """``as_of`` must fall within the licence's validity."""
    for claim, licence in _known(context):
        if not licence.valid_on(context.as_of):
            yield self.finding(
                zh=f"许可证件 {claim.number} 有效期 {licence.valid_from}–{licence.valid_to}，"
                f"申报日期 {context.as_of} 不在其内",
                en=f"licence {claim.number} is valid {licence.valid_from} to {licence.valid_to},"
                f" not on {context.as_of}",
                evidence=evidence(
                    licence=claim.number,
                    valid_from=licence.valid_from,
                    valid_to=licence.valid_to,
                    as_of=context.as_of,
                ),
                item=_item(claim),
            )


RULES: tuple[Rule, ...] = (registered, active, holder, direction, commodity, validity)
