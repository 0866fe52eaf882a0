"""Required documents from measure conditions (监管证件 / 随附单证).

The pipeline passes, per item, the documents the tariff measures in force ask for
(:class:`rules.context.RequiredDocument`). A requirement is met when the item or the header cites a
document whose code is one of the requirement's codes, or cites the number of a registered licence
or certificate whose type code is one of them (EDIFACT sends ``911``/``861``, not the national
code).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi.model import DocumentReference
from rules.context import ControlContext, MissingAction
from rules.findings import Finding, Rule, Severity, evidence, rule

_SEVERITY = {
    MissingAction.OTHER_RATE: Severity.INFO,
    MissingAction.DOCUMENTS_REQUIRED: Severity.DOCUMENTS,
    MissingAction.REJECT: Severity.REJECT,
}


def presented_codes(context: ControlContext, documents: tuple[DocumentReference, ...]) -> set[str]:
    """Codes the documents stand for: their own code and that of the registry record they cite."""
    codes: set[str] = set()
    for doc in documents:
        if doc.code:
            codes.add(doc.code)
        licence = context.registries.licence(doc.number)
        if licence is not None:
            codes.add(licence.type_code)
        certificate = context.registries.certificate(doc.number)
        if certificate is not None:
            codes.add(certificate.document_code)
    return codes


@rule(
    "DOC-001",
    1,
    zh="按措施条件应提交的监管证件",
    en="Documents required by measure conditions are presented",
    severity=Severity.DOCUMENTS,
)
def required_documents(self: Rule, context: ControlContext) -> Iterator[Finding]:
    """One finding per unmet requirement; severity follows the condition's action."""
    if not context.required_documents:  # most declarations: no measure asks for a document
        return
    items = {item.sequence: item for item in context.declaration.items}
    for sequence, requirements in sorted(context.required_documents.items()):
        item = items.get(sequence)
        if item is None:
            continue
        presented = presented_codes(context, context.documents_for(item))
        for requirement in requirements:
            if presented.intersection(requirement.codes):
                continue
            wanted = "/".join(requirement.codes)
            outcome_en, outcome_zh = _consequence(requirement.action)
            yield self.finding(
                zh=f"第{sequence}项缺少监管证件（代码 {wanted}）{requirement.measure}："
                f"{outcome_zh}",
                en=f"item {sequence}: no document {wanted} for {requirement.measure or 'a measure'}"
                f" is presented; {outcome_en}",
                evidence=evidence(
                    commodity_code=item.commodity_code,
                    required_codes=requirement.codes,
                    presented_codes=tuple(sorted(presented)),
                    action=requirement.action.value,
                    measure=requirement.measure,
                ),
                item=sequence,
                severity=_SEVERITY[requirement.action],
            )


def _consequence(action: MissingAction) -> tuple[str, str]:
    if action is MissingAction.OTHER_RATE:
        return "the other rate applies", "适用其他税率"
    if action is MissingAction.DOCUMENTS_REQUIRED:
        return "the declaration is held until it is presented", "须补交单证"
    return "the item cannot be accepted", "不予接受申报"


RULES: tuple[Rule, ...] = (required_documents,)
