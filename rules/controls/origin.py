"""Certificates of origin (原产地证明): the proof behind an agreement-rate claim.

A certificate entitles goods to the agreement rate when it is registered and not cancelled, its
agreement is the one claimed, the issuing country is the goods' origin and a member of the agreement
on ``as_of``, ``as_of`` is within its validity, the goods match a certificate line at HS-6 or finer,
the line's quantity is not exhausted, and exporter and importer are the declared parties. Failures
hold the declaration for documents (the trader corrects the claim or proves it); they never reject.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.claims import CertificateClaim, certificate_claims, cites_certificate
from rules.context import ControlContext
from rules.findings import Finding, Rule, Severity, evidence, rule
from rules.registry import CertificateOfOrigin, CertificateStatus


def by_certificate(
    context: ControlContext,
) -> Iterator[tuple[CertificateOfOrigin, tuple[CertificateClaim, ...]]]:
    """Registered certificates with the claims that cite them (certificate-level checks)."""
    grouped: dict[str, list[CertificateClaim]] = {}
    for claim in certificate_claims(context):
        if claim.certificate is not None:
            grouped.setdefault(claim.number, []).append(claim)
    for claims in grouped.values():
        certificate = claims[0].certificate
        assert certificate is not None
        yield certificate, tuple(claims)


def single_item(claims: tuple[CertificateClaim, ...]) -> int | None:
    """The item sequence when exactly one item is concerned, else ``None``."""
    return claims[0].item.sequence if len(claims) == 1 else None


def certificate_items(claims: tuple[CertificateClaim, ...]) -> tuple[str, ...]:
    """The item sequences concerned, for evidence."""
    return tuple(str(c.item.sequence) for c in claims)


@rule(
    "COO-001",
    1,
    zh="享受协定税率须提供原产地证明",
    en="A preference claim cites a certificate of origin",
    severity=Severity.WARNING,
)
def cited(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """An item claiming a preference without any certificate cannot get the agreement rate."""
    claimed = {claim.item.sequence for claim in certificate_claims(context)}
    for item in context.declaration.items:
        if item.preference is not None and item.sequence not in claimed:
            yield self.finding(
                zh=f"第{item.sequence}项申请 {item.preference} 协定税率但未提供原产地证明",
                en=f"item {item.sequence} claims {item.preference} but cites no certificate of"
                " origin; the agreement rate cannot be granted",
                evidence=evidence(preference=item.preference, origin=item.origin_country),
                item=item.sequence,
            )


@rule(
    "COO-002",
    1,
    zh="原产地证明已登记且未撤销",
    en="Certificate is registered and not cancelled",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def registered(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Unknown or cancelled certificates must be verified with the issuing authority."""
    for claim in certificate_claims(context):
        certificate = claim.certificate
        if certificate is None:
            yield self.finding(
                zh=f"原产地证明 {claim.number} 未在登记库中找到",
                en=f"certificate {claim.number} is not in the registry",
                evidence=evidence(certificate=claim.number, agreement=claim.document.agreement),
                item=claim.item.sequence,
            )
        elif certificate.status is not CertificateStatus.VALID:
            yield self.finding(
                zh=f"原产地证明 {claim.number} 已撤销",
                en=f"certificate {claim.number} is {certificate.status.value}",
                evidence=evidence(certificate=claim.number, status=certificate.status.value),
                item=claim.item.sequence,
            )


@rule(
    "COO-003",
    1,
    zh="原产地证明所属协定与申报一致",
    en="Certificate agreement is the one claimed",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def agreement(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """The item's preference and the cited document's agreement match the certificate's."""
    for claim in certificate_claims(context):
        certificate = claim.certificate
        if certificate is None:
            continue
        stated = {a for a in (claim.item.preference, claim.document.agreement) if a is not None}
        if stated and stated != {certificate.agreement}:
            yield self.finding(
                zh=f"第{claim.item.sequence}项申报协定 {'/'.join(sorted(stated))}，原产地证明"
                f" {claim.number} 属于 {certificate.agreement}",
                en=f"item {claim.item.sequence} claims {'/'.join(sorted(stated))} but certificate"
                f" {claim.number} is issued under {certificate.agreement}",
                evidence=evidence(
                    certificate=claim.number,
                    claimed=tuple(sorted(stated)),
                    certificate_agreement=certificate.agreement,
                ),
                item=claim.item.sequence,
            )


@rule(
    "COO-004",
    1,
    zh="原产国为协定成员且与签发国一致",
    en="Origin is the issuing country and an agreement member on the date",
    severity=Severity.DOCUMENTS,
    guard=cites_certificate,
)
def membership(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """Membership is taken on ``as_of``, so a country that joins later gets nothing earlier."""
    registries = context.registries
    for certificate, claims in by_certificate(context):
        country, scheme = certificate.issuing_country, certificate.agreement
        if not registries.is_member(scheme, country, context.as_of):
            periods = tuple(
                f"{m.valid_from}..{m.valid_to or ''}"
                for m in registries.member_periods(scheme, country)
            )
            yield self.finding(
                zh=f"{country} 在 {context.as_of} 不是 {scheme} 成员",
                en=f"{country} is not a member of {scheme} on {context.as_of}",
                evidence=evidence(
                    certificate=certificate.number,
                    agreement=scheme,
                    country=country,
                    as_of=context.as_of,
                    membership_periods=periods,
                ),
                item=single_item(claims),
            )
        for claim in claims:
            origin = claim.item.origin_country
            if origin is not None and origin != country:
                yield self.finding(
                    zh=f"第{claim.item.sequence}项原产国 {origin} 与证书签发国 {country} 不一致",
                    en=f"item {claim.item.sequence}: origin {origin} differs from the issuing"
                    f" country {country} of certificate {certificate.number}",
                    evidence=evidence(
                        certificate=certificate.number, origin=origin, issuing_country=country
                    ),
                    item=claim.item.sequence,
                )


RULES: tuple[Rule, ...] = (cited, registered, agreement, membership)
