"""Preference follows the certificate: a certificate of origin the registry refuses gives no
agreement rate in the assessment itself.

The certificate controls of ``rules`` (registered and not cancelled, agreement, origin and
membership on the date, validity dates, goods at HS-6) are run on the declaration before it is
assessed. An item whose cited certificate fails one of them is assessed *without* that proof of
origin: the agreement rate drops out, the base rate (MFN …) applies, and the engine shows the
agreement rate as the alternative with what a valid certificate would save. Quantity and party
checks stay with the controls step (they hold the declaration for documents; they do not change
which certificate is genuine). Without any registry load nothing can be checked, and nothing is
withdrawn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clearance.assessment.adapter import DOCUMENT_CODES
from edi.model import Declaration, DocumentKind
from rules.claims import CertificateClaim, certificate_claims, item_claim
from rules.context import ControlContext
from rules.controls import origin, origin_goods, run_controls
from rules.findings import Finding, Severity, evidence
from rules.registry import Registries
from tariffs import AssessmentRequest, DeclarationAssessment, Document

#: The certificate rules that decide whether the proof of origin is genuine for the goods.
VALIDITY_RULES = frozenset({"COO-002", "COO-003", "COO-004", "COO-005", "COO-006"})
_RULES = tuple(r for r in (*origin.RULES, *origin_goods.RULES) if r.id in VALIDITY_RULES)
#: The code a certificate of origin has in the request (the adapter's translation).
PROOF_CODES = frozenset({DOCUMENT_CODES[DocumentKind.CERTIFICATE_OF_ORIGIN]})


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why item ``item`` gets no preference from certificate ``certificate``."""

    item: int
    certificate: str
    finding: Finding


def cites_documents(declaration: Declaration) -> bool:
    """Whether the declaration cites any document, in its header or an item.

    A certificate claim needs a cited document (the item's own, or the header's for the
    agreement the item claims), so without one nothing can be refused and neither the
    registries nor the validity rules need to be asked: most declarations cite none.
    """
    return bool(declaration.documents) or any(item.documents for item in declaration.items)


def claimed(
    request: AssessmentRequest,
    declaration: Declaration,
    number: str,
    as_of: date,
    registries: Registries,
) -> tuple[AssessmentRequest, dict[int, Refusal]]:
    """``request`` as the certificate controls read its claims, without refused certificates,
    and the refusals (one control context for both)."""
    context = ControlContext(declaration, number, as_of, registries)
    refused = _refusals(context)
    return withdraw(align(request, context), refused), refused


def align(request: AssessmentRequest, context: ControlContext) -> AssessmentRequest:
    """``request`` with each item's proof of origin exactly as the certificate controls see it.

    The adapter reads claims from the declaration alone; the controls also know, from the
    registry, the agreement of a certificate whose document names none. Here each item claims
    the agreement :func:`rules.claims.item_claim` says, and keeps as proof of origin only the
    certificate its :class:`~rules.claims.CertificateClaim` cites, under the agreement the
    controls hold for it. So an item the controls do not check (and the ledger does not draw)
    has no proof the tariff could count, and one they check is assessed on the same claim.
    """
    claims = {c.item.sequence: c for c in certificate_claims(context)}
    items = {i.sequence: i for i in context.declaration.items}
    out, changed = [], False
    for item in request.items:
        goods = items.get(item.sequence)
        claim = claims.get(item.sequence)
        preference = None if goods is None else item_claim(context, goods)
        documents = tuple(_aligned(d, claim) for d in item.documents)
        kept = tuple(d for d in documents if d is not None)
        if preference != item.preference or kept != item.documents:
            item = item.model_copy(update={"preference": preference, "documents": kept})
            changed = True
        out.append(item)
    return request.model_copy(update={"items": tuple(out)}) if changed else request


def _aligned(document: Document, claim: CertificateClaim | None) -> Document | None:
    """The document as the claim reads it: a proof of origin other than the claim's is
    dropped; the claim's carries the registered certificate's agreement."""
    if document.code not in PROOF_CODES:
        return document
    if claim is None or document.reference != claim.number[:64]:
        return None
    agreement = claim.certificate.agreement if claim.certificate else document.agreement
    if agreement == document.agreement:
        return document
    return document.model_copy(update={"agreement": agreement})


def refusals(
    declaration: Declaration, number: str, as_of: date, registries: Registries
) -> dict[int, Refusal]:
    """Per goods item, the first reason its certificate cannot prove origin on ``as_of``."""
    return _refusals(ControlContext(declaration, number, as_of, registries))


def _refusals(context: ControlContext) -> dict[int, Refusal]:
    cited: dict[str, list[int]] = defaultdict(list)
    for claim in certificate_claims(context):
        cited[claim.number].append(claim.item.sequence)
    if not cited:
        # Every validity rule checks the certificate claims and nothing else, so without a
        # claim none can refuse (pinned by tests/unit/rules/test_certificate_refusals.py):
        # most declarations cite no certificate, and the rules cost more than this check.
        return {}
    out: dict[int, Refusal] = {}
    for finding in run_controls(context, _RULES):
        if finding.severity.rank < Severity.DOCUMENTS.rank:
            continue
        number_ = str(finding.evidence.get("certificate") or "")
        for item in _items(finding, cited.get(number_, [])):
            out.setdefault(item, Refusal(item, number_, finding))
    return out


def _items(finding: Finding, citing: list[int]) -> list[int]:
    if finding.item_sequence is not None:
        return [finding.item_sequence]
    listed = finding.evidence.get("items")
    if isinstance(listed, tuple) and listed:
        return [int(str(i)) for i in listed]
    return citing


def withdraw(request: AssessmentRequest, refused: dict[int, Refusal]) -> AssessmentRequest:
    """``request`` without the refused certificates in the items they were refused for."""
    if not refused:
        return request
    items = []
    for item in request.items:
        refusal = refused.get(item.sequence)
        if refusal is None:
            items.append(item)
            continue
        kept = tuple(d for d in item.documents if d.reference != refusal.certificate)
        items.append(item.model_copy(update={"documents": kept}))
    return request.model_copy(update={"items": tuple(items)})


def findings(refused: dict[int, Refusal], assessment: DeclarationAssessment) -> list[Finding]:
    """TAR-003 per refused item: the certificate's problem and what a valid one would save."""
    if not refused:  # most declarations: nothing refused
        return []
    by_sequence = {item.sequence: item for item in assessment.items}
    out = []
    for sequence, refusal in sorted(refused.items()):
        item = by_sequence.get(sequence)
        chosen = "" if item is None or item.rate is None else item.rate.label
        saving, currency, label = _saving(item)
        problem = refusal.finding.message_en
        cert = refusal.certificate
        en = f"goods item {sequence}: no preference from certificate {cert} ({problem})"
        zh = f"第{sequence}项：原产地证明 {cert} 不能享受协定税率（{refusal.finding.message_zh}）"
        if chosen:
            en += f"; assessed at {chosen}"
            zh += f"；按{chosen}计征"
        if saving is not None:
            en += f"; a valid certificate would save {currency} {saving:,.2f} ({label})"
            zh += f"；有效证书可少缴 {currency} {saving:,.2f}（{label}）"
        facts = evidence(
            certificate=refusal.certificate,
            refused_by=refusal.finding.rule_id,
            chosen=chosen,
            saving=saving,
            currency=currency,
        )
        out.append(Finding("TAR-003", 1, Severity.WARNING, zh, en, facts, sequence))
    return out


def _saving(item: Any) -> tuple[Decimal | None, str, str]:
    """The largest saving among the alternatives that need a proof of origin (Y)."""
    if item is None:
        return None, "", ""
    useful = [
        a for a in item.alternatives if "Y" in a.needs and a.saving is not None and a.saving > 0
    ]
    if not useful:
        return None, item.currency, ""
    best = max(useful, key=lambda a: a.saving)
    return best.saving, best.currency, best.label
