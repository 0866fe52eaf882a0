"""RES-DMS notifications for DEC-DMS senders (UK CDS style), as UTF-8 bytes.

Shape and codes from HMRC's public CDS notification samples and the function codes of
hmrc/customs-declare-exports ``SubmissionStatus.scala`` (see ``tables/dms.json``):
``md:MetaData`` (WCOTypeName RES) around ``Response`` with ``FunctionCode``, the
notification's own ``FunctionalReferenceID``, ``IssueDateTime``, one ``Error`` per reason
(``ValidationCode``, ``Pointer`` per document section) and the ``Declaration`` it is about
(the sender's LRN, our number, acceptance / rejection / cancellation time, duties).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from edi.xml._lxml import etree
from edi.xml.answers import AnswerReason, AnswerStatus, DutyLine, XmlAnswer
from edi.xml.codes import dms_table
from edi.xml.issues import ISSUE_CODES, IssueKind

MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
RES_NS = "urn:wco:datamodel:WCO:RES-DMS:2"
RDS_NS = "urn:wco:datamodel:WCO:Response_DS:DMS:2"
_STEP = re.compile(r"^([^\[]+)(?:\[(\d+)\])?$")
_DESCRIPTION = 512
#: Our duty type names → CDS tax type codes (A00 customs duty, B00 VAT); others pass through.
_TAX_TYPES = {"CUD": "A00", "VAT": "B00"}


def render_dms_notification(answer: XmlAnswer) -> bytes:
    """The RES-DMS notification for ``answer`` (UTF-8, with an XML declaration)."""
    root = etree.Element(f"{{{MD_NS}}}MetaData", nsmap={"md": MD_NS})
    for name, value in (("WCODataModelVersionCode", "3.6"), ("WCOTypeName", "RES")):
        etree.SubElement(root, f"{{{MD_NS}}}{name}").text = value
    response = etree.SubElement(root, _r("Response"), nsmap={None: RES_NS, "ds": RDS_NS})
    codes = dms_table("notification_function_codes")
    _sub(response, "FunctionCode", codes[answer.status.value])
    _sub(response, "FunctionalReferenceID", answer.message_id or _message_id(answer))
    _stamp(response, "IssueDateTime", answer.issued_at)
    for reason in answer.reasons:
        _error(response, reason)
    _declaration(response, answer)
    rendered: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return rendered


def _r(name: str) -> str:
    return f"{{{RES_NS}}}{name}"


def _sub(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _r(name))
    if value is not None:
        element.text = value
    return element


def _stamp(parent: etree._Element, name: str, when: datetime) -> None:
    holder = _sub(parent, name)
    stamp = etree.SubElement(holder, f"{{{RDS_NS}}}DateTimeString", formatCode="304")
    stamp.text = when.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _message_id(answer: XmlAnswer) -> str:
    # Deterministic, so a resent answer carries the same notification id.
    key = "|".join(
        (
            answer.status.value,
            answer.sender_reference,
            answer.registered_number or "",
            answer.issued_at.isoformat(),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _error(response: etree._Element, reason: AnswerReason) -> None:
    error = _sub(response, "Error")
    _sub(error, "Description", reason.located()[:_DESCRIPTION])
    _sub(error, "ValidationCode", reason.code or ISSUE_CODES[IssueKind.MAPPING])
    for sequence, section in _pointers(reason.path):
        pointer = _sub(error, "Pointer")
        if sequence is not None:
            _sub(pointer, "SequenceNumeric", str(sequence))
        _sub(pointer, "DocumentSectionCode", section)


def _pointers(path: str | None) -> Iterable[tuple[int | None, str]]:
    """Document section pointers for the classes on ``path`` that have a section code."""
    sections = dms_table("section_codes")
    for step in (path or "").strip("/").split("/"):
        match = _STEP.match(step)
        if match and match.group(1) in sections:
            index = match.group(2)
            yield (int(index) if index else None), sections[match.group(1)]


def _declaration(response: etree._Element, answer: XmlAnswer) -> None:
    declaration = _sub(response, "Declaration")
    if answer.accepted_at is not None and answer.status is not AnswerStatus.REJECTED:
        _stamp(declaration, "AcceptanceDateTime", answer.accepted_at)
    if answer.status is AnswerStatus.INVALIDATED:
        _stamp(declaration, "CancellationDateTime", answer.issued_at)
    _sub(declaration, "FunctionalReferenceID", answer.sender_reference)
    if answer.registered_number:
        _sub(declaration, "ID", answer.registered_number)
    if answer.status is AnswerStatus.REJECTED:
        _stamp(declaration, "RejectionDateTime", answer.issued_at)
    if answer.duties:
        _duties(_sub(declaration, "GoodsShipment"), answer.duties)


def _duties(shipment: etree._Element, duties: tuple[DutyLine, ...]) -> None:
    for sequence in sorted({d.item_sequence for d in duties}):
        item = _sub(shipment, "GovernmentAgencyGoodsItem")
        _sub(item, "SequenceNumeric", str(sequence))
        commodity = _sub(item, "Commodity")
        for duty in (d for d in duties if d.item_sequence == sequence):
            fee = _sub(commodity, "DutyTaxFee")
            if duty.base_amount is not None:
                _amount(fee, "AdValoremTaxBaseAmount", duty.base_amount, duty.currency)
            if duty.rate is not None:
                _sub(fee, "TaxRateNumeric", _number(duty.rate))
            _sub(fee, "TypeCode", _TAX_TYPES.get(duty.tax_type, duty.tax_type))
            _amount(_sub(fee, "Payment"), "TaxAssessedAmount", duty.amount, duty.currency)


def _amount(parent: etree._Element, name: str, value: Decimal, currency: str) -> None:
    _sub(parent, name, _number(value)).set("currencyID", currency)


def _number(value: Decimal) -> str:
    return format(value, "f")


__all__ = ["render_dms_notification"]
