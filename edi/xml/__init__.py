"""The XML channels: WCO DEC-DMS (UK CDS usage) and China Single Window DecMessage.

Public API (everything else in this package is private)::

    detect_xml_kind(raw: bytes) -> str | None
        "dec-dms", "decmessage" or None, from the first elements of the file.

    read_xml_declaration(raw: bytes) -> XmlReadResult
        Parse (hardened: no DTD, no entities, no network), validate against our XSDs
        (edi/xml/schemas), map to edi.model.Declaration. Never raises for bad input:
        problems come back as XmlIssue(text, path, line, column, kind) with a stable code.

    issue_at_field(raw, kind, field, text, issue_kind) -> XmlIssue
        An issue located (path, line, column) at the element a mapped header field
        (declaration_office, port_office) was read from: for checks made after mapping.

    dec_dms_to_canonical(root) -> MappingResult
    decmessage_to_canonical(root) -> MappingResult
        The mappers alone, for an already parsed and validated document.

    render_dms_notification(answer: XmlAnswer) -> bytes
        RES-DMS notification (md:MetaData / Response) for DEC-DMS senders.

    render_decmessage_receipt(answer: XmlAnswer) -> bytes
        DEC_RESULT receipt (回执) for DecMessage senders.

Answers are described by XmlAnswer(status, sender_reference, issued_at, registered_number,
reasons, duties, accepted_at, customs_office, message_id); reasons_from_issues() turns
reader issues into located answer reasons.

Errors: readers return issues; XmlInputError (a CustomsError, code "xml_input") is raised
only by parse_xml() for callers that want the exception. See docs/xml-channel.md.
"""

from edi.xml.answers import AnswerReason, AnswerStatus, DutyLine, XmlAnswer, reasons_from_issues
from edi.xml.decmessage_reader import decmessage_to_canonical
from edi.xml.detect import DEC_DMS, DECMESSAGE, detect_xml_kind
from edi.xml.dms_reader import dec_dms_to_canonical
from edi.xml.dms_writer import render_dms_notification
from edi.xml.issues import (
    ISSUE_CODES,
    IssueKind,
    MappingResult,
    XmlInputError,
    XmlIssue,
    XmlReadResult,
)
from edi.xml.locate import issue_at_field
from edi.xml.parsing import parse_xml
from edi.xml.reader import read_xml_declaration
from edi.xml.receipt_writer import render_decmessage_receipt

__all__ = [
    "DECMESSAGE",
    "DEC_DMS",
    "ISSUE_CODES",
    "AnswerReason",
    "AnswerStatus",
    "DutyLine",
    "IssueKind",
    "MappingResult",
    "XmlAnswer",
    "XmlInputError",
    "XmlIssue",
    "XmlReadResult",
    "dec_dms_to_canonical",
    "decmessage_to_canonical",
    "detect_xml_kind",
    "issue_at_field",
    "parse_xml",
    "read_xml_declaration",
    "reasons_from_issues",
    "render_decmessage_receipt",
    "render_dms_notification",
]
