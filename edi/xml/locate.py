"""Where a header field of a mapped declaration was written in the received XML.

A check made after mapping (the customs-offices registry, in the clearance layer) refuses a
value the reader accepted; its answer still names the element, its path, line and column, as
the reader's own issues do. The file is parsed again for that, which only a refused file
pays: the mapping keeps no elements, so the happy path costs nothing.
"""

from __future__ import annotations

from edi.xml._lxml import etree
from edi.xml.columns import with_columns
from edi.xml.detect import DEC_DMS, DECMESSAGE
from edi.xml.dms_reader import declaration_element
from edi.xml.issues import IssueKind, XmlInputError, XmlIssue
from edi.xml.mapping import issue_at
from edi.xml.parsing import local_name, parse_xml

#: The element each locatable header field is read from, by kind, below the declaration
#: (DEC-DMS ``Declaration``) or the message (``DecMessage``) element, by local names.
FIELD_ELEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    DEC_DMS: {
        "declaration_office": ("DeclarationOfficeID",),
        "port_office": ("ExitOffice", "ID"),
    },
    DECMESSAGE: {
        "declaration_office": ("DecHead", "CustomMaster"),
        "port_office": ("DecHead", "IEPort"),
    },
}


def issue_at_field(
    raw: bytes, kind: str | None, field: str | None, text: str, issue_kind: IssueKind
) -> XmlIssue:
    """An issue saying ``text`` at the element ``field`` was read from in ``raw`` (path,
    line, column); at the declaration element when the field is not one located here or the
    file names none."""
    try:
        root = parse_xml(raw)
    except XmlInputError:  # it was read before; nothing better to point at if not now
        return XmlIssue(text, kind=issue_kind)
    start = declaration_element(root) if kind == DEC_DMS else root
    steps = FIELD_ELEMENTS.get(kind or "", {}).get(field or "", ())
    element = _descend(start, steps) if start is not None and steps else None
    issue = issue_at(text, element if element is not None else start, issue_kind)
    (located,) = with_columns((issue,), root, raw)
    return located


def _descend(element: etree._Element, steps: tuple[str, ...]) -> etree._Element | None:
    node: etree._Element | None = element
    for step in steps:
        assert node is not None
        node = next((child for child in node if local_name(child) == step), None)
        if node is None:
            return None
    return node


__all__ = ["FIELD_ELEMENTS", "issue_at_field"]
