"""Identifiers: the domestic trader's USCC, container numbers, full-length commodity codes.

USCC check characters are verified by the canonical model already (python-stdnum); here the trader
must be present at all. Container numbers are checked against ISO 6346 with python-stdnum.
"""

from __future__ import annotations

from collections.abc import Iterator

from stdnum import iso6346

from edi.model import Direction
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule


@rule(
    "SAN-006",
    2,
    zh="境内收发货人以统一社会信用代码（或欧盟/英国EORI）申报",
    en="The domestic trader is identified by USCC (or, in an EU/UK-style declaration, EORI)",
    severity=Severity.REJECT,
)
def trader_identified(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Imports need the consignee's USCC, exports the consignor's; an EORI also identifies
    the trader of a declaration lodged under an EU/UK-style regime (version 2)."""
    if context.trader_uscc is None and context.trader_eori is None:
        importing = context.declaration.direction is Direction.IMPORT
        role_en = "consignee" if importing else "consignor"
        role_zh = "境内收货人" if importing else "境内发货人"
        yield self.finding(
            zh=f"未申报{role_zh}的统一社会信用代码或EORI",
            en=f"the {role_en} is not identified by a USCC or an EORI",
            evidence=evidence(role=role_en, direction=context.declaration.direction.value),
        )


@rule(
    "SAN-007",
    1,
    zh="集装箱号校验位正确",
    en="Container numbers pass the ISO 6346 check",
    severity=Severity.REJECT,
)
def containers(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Every container number must carry a valid ISO 6346 check digit."""
    transport = context.declaration.transport
    for number in () if transport is None else transport.containers:
        if not iso6346.is_valid(number):
            yield self.finding(
                zh=f"集装箱号 {number} 校验位错误",
                en=f"container number {number} fails the ISO 6346 check",
                evidence=evidence(container=number),
            )


@rule(
    "SAN-008",
    1,
    zh="商品编号为完整编码",
    en="Commodity codes are complete",
    severity=Severity.REJECT,
)
def commodity_code_length(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """China: 10 digits (8-digit tariff line + 2 statistical digits) *(policy)*."""
    digits = context.policy.commodity_code_digits
    if digits is None:
        return
    for item in context.declaration.items:
        if len(item.commodity_code) != digits:
            yield self.finding(
                zh=f"第{item.sequence}项商品编号 {item.commodity_code} 不是 {digits} 位",
                en=f"item {item.sequence}: commodity code {item.commodity_code} does not have"
                f" {digits} digits",
                evidence=evidence(commodity_code=item.commodity_code, expected_digits=digits),
                item=item.sequence,
            )


RULES: tuple[Rule, ...] = (trader_identified, containers, commodity_code_length)
