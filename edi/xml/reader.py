"""Read one received XML file: parse safely, recognise, validate, map. Never raises for input."""

from __future__ import annotations

from edi.xml import decmessage_reader, dms_reader
from edi.xml._lxml import etree
from edi.xml.columns import with_columns
from edi.xml.detect import DEC_DMS, DECMESSAGE, detect_xml_kind, kind_of
from edi.xml.issues import IssueKind, XmlInputError, XmlReadResult
from edi.xml.mapping import issue_at
from edi.xml.parsing import parse_xml
from edi.xml.validation import Schema, validate

_SCHEMAS = {DEC_DMS: Schema.DMS, DECMESSAGE: Schema.DECMESSAGE}


def read_xml_declaration(raw: bytes) -> XmlReadResult:
    """Parse, validate and map ``raw``; problems come back as issues, never as exceptions.

    Stops at the first stage that fails: a file that is not well-formed (or declares a
    DOCTYPE / entities) gets one issue with line and column; an invalid file gets every
    schema error; a valid file gets every mapping problem at once.
    """
    try:
        root = parse_xml(raw)
    except XmlInputError as exc:
        return XmlReadResult(detect_xml_kind(raw), None, (exc.issue,))
    kind = kind_of(root)
    if kind is None:
        text = f"not a DEC-DMS declaration or DecMessage: root element {root.tag!r}"
        return XmlReadResult(None, None, (issue_at(text, root, IssueKind.UNKNOWN_FORMAT),))
    issues = validate(root, _SCHEMAS[kind])
    if issues:
        return XmlReadResult(kind, None, issues, _sender_reference(kind, root))
    if kind == DEC_DMS:
        result = dms_reader.dec_dms_to_canonical(root)
    else:
        result = decmessage_reader.decmessage_to_canonical(root)
    # A mapped declaration read its reference from the same element the sender_reference
    # helpers look at; only a file that failed needs them.
    declaration = result.declaration
    reference = (
        declaration.sender_reference if declaration is not None else _sender_reference(kind, root)
    )
    issues = with_columns(result.issues, root, raw) if result.issues else ()
    return XmlReadResult(kind, declaration, issues, reference)


def _sender_reference(kind: str, root: etree._Element) -> str | None:
    if kind == DEC_DMS:
        return dms_reader.sender_reference(root)
    return decmessage_reader.sender_reference(root)


__all__ = ["read_xml_declaration"]
