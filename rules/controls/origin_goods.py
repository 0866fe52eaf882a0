"""Certificates of origin, continued: validity, goods lines, quantities, exporter and importer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.claims import (
    certificate_claims,
    certificate_line_allowance,
    certificate_line_draws,
    certificate_line_key,
    cites_certificate,
    quantity_in,
)
from rules.context import ControlContext
from rules.controls.origin import by_certificate, certificate_items, single_item
from rules.findings import Finding, Rule, Severity, evidence, rule
from rules.ledger import Balance


@rule(
    "COO-005",
    1,
    zh="原产地证明在有效期内",
    en="Certificate is valid on the date",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def validity(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """``issue_date <= as_of <= valid_to``."""
    for certificate, claims in by_certificate(context):
        if not certificate.issue_date <= context.as_of <= certificate.valid_to:
            yield self.finding(
                zh=f"原产地证明 {certificate.number} 有效期 {certificate.issue_date}–"
                f"{certificate.valid_to}，申报日期 {context.as_of} 不在其内",
                en=f"certificate {certificate.number} is valid {certificate.issue_date} to"
                f" {certificate.valid_to}, not on {context.as_of}",
                evidence=evidence(
                    certificate=certificate.number,
                    issue_date=certificate.issue_date,
                    valid_to=certificate.valid_to,
                    as_of=context.as_of,
                    items=certificate_items(claims),
                ),
                item=single_item(claims),
            )


@rule(
    "COO-006",
    1,
    zh="申报商品与原产地证明货物相符",
    en="Goods match a certificate line (HS-6 or finer)",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def goods(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """The item's commodity code starts with the code of one of the certificate's lines."""
    for claim in certificate_claims(context):
        if claim.certificate is not None and claim.line is None:
            codes = tuple(line.hs_code for line in claim.certificate.lines)
            yield self.finding(
                zh=f"第{claim.item.sequence}项商品编号 {claim.item.commodity_code} 与原产地证明"
                f" {claim.number} 所列货物不符",
                en=f"item {claim.item.sequence}: {claim.item.commodity_code} matches no line of"
                f" certificate {claim.number}",
                evidence=evidence(
                    certificate=claim.number,
                    commodity_code=claim.item.commodity_code,
                    certificate_codes=codes,
                ),
                item=claim.item.sequence,
            )


@rule(
    "COO-007",
    1,
    zh="原产地证明数量未用尽",
    en="Certificate line quantity suffices",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def quantity(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Quantity drawn per line ≤ what the line has left (ledger balance before this declaration)."""
    lines = {}
    for claim in certificate_claims(context):
        if claim.line is None:
            continue
        lines[(claim.number, claim.line.line)] = claim.line
        if quantity_in(claim.item, claim.line.unit) is None:
            yield self.finding(
                zh=f"第{claim.item.sequence}项未以证书计量单位 {claim.line.unit} 申报数量",
                en=f"item {claim.item.sequence} gives no quantity in the certificate unit"
                f" {claim.line.unit}",
                evidence=evidence(certificate=claim.number, line=claim.line.line),
                item=claim.item.sequence,
            )
    for (number, line_no), drawn in certificate_line_draws(context).items():
        line = lines[(number, line_no)]
        fresh = Balance(certificate_line_allowance(line))
        left = context.balance(certificate_line_key(number, line_no), fresh).available
        if left is not None and drawn > left:
            yield self.finding(
                zh=f"原产地证明 {number} 第{line_no}项余量 {left} {line.unit}，申报 {drawn}",
                en=f"certificate {number} line {line_no}: {drawn} {line.unit} declared,"
                f" {left} left",
                evidence=evidence(
                    certificate=number,
                    line=line_no,
                    declared=drawn,
                    remaining=left,
                    certified=line.quantity,
                    unit=line.unit,
                ),
            )


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Upper case without punctuation or repeated spaces: ``"Sea Co., Ltd"`` → ``SEA CO LTD``."""
    return " ".join(_NOT_WORD.sub(" ", name.upper()).split())


@rule(
    "COO-008",
    1,
    zh="证书出口商与境外发货人一致",
    en="Certificate exporter is the overseas consignor",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def exporter(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Names are compared after normalisation (case, punctuation, spacing)."""
    declared = context.overseas_party_name
    for certificate, claims in by_certificate(context):
        if declared is None or normalise_name(declared) != normalise_name(
            certificate.exporter_name
        ):
            said_en = "names no overseas consignor" if declared is None else f"names {declared!r}"
            said_zh = "未申报境外发货人" if declared is None else f"申报境外发货人 {declared}"
            yield self.finding(
                zh=f"原产地证明 {certificate.number} 出口商 {certificate.exporter_name} 与申报"
                f"不一致：{said_zh}",
                en=f"certificate {certificate.number} names exporter"
                f" {certificate.exporter_name!r}, the declaration {said_en}",
                evidence=evidence(
                    certificate=certificate.number,
                    certificate_exporter=certificate.exporter_name,
                    declared_exporter=declared,
                ),
                item=single_item(claims),
            )


@rule(
    "COO-009",
    1,
    zh="证书进口商与境内收货人一致",
    en="Certificate importer is the consignee",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def importer(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Checked when the certificate names the importer's USCC."""
    for certificate, claims in by_certificate(context):
        named = certificate.importer_uscc
        if named is not None and named != context.trader_uscc:
            yield self.finding(
                zh=f"原产地证明 {certificate.number} 进口商 {named} 与申报收货人"
                f" {context.trader_uscc} 不一致",
                en=f"certificate {certificate.number} names importer {named}, the declaration"
                f" {context.trader_uscc}",
                evidence=evidence(
                    certificate=certificate.number,
                    certificate_importer=named,
                    declared_importer=context.trader_uscc,
                ),
                item=single_item(claims),
            )


RULES: tuple[Rule, ...] = (validity, goods, quantity, exporter, importer)
