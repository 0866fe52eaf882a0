"""Which XML format a received file is, from its first elements only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from edi.xml._lxml import etree
from edi.xml.parsing import local_name

DEC_DMS = "dec-dms"
DECMESSAGE = "decmessage"

MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
CHINAPORT_NS = "http://www.chinaport.gov.cn/dec"
_LOOK_AHEAD = 16  # md:MetaData has six metadata elements before the Declaration
_CHUNK = 64  # bytes fed to the pull parser at a time; the root element fits in a few


def kind_of(root: etree._Element) -> str | None:
    """The format of a parsed document (see :func:`detect_xml_kind`)."""
    tag = root.tag
    if tag == f"{{{CHINAPORT_NS}}}DecMessage":
        return DECMESSAGE
    if tag == f"{{{DEC_NS}}}Declaration":
        return DEC_DMS
    if tag == f"{{{MD_NS}}}MetaData" and root.find(f"{{{DEC_NS}}}Declaration") is not None:
        return DEC_DMS
    return None


def detect_xml_kind(raw: bytes) -> str | None:
    """``"dec-dms"``, ``"decmessage"`` or None, reading as few elements as needed.

    A DEC-DMS file is a ``md:MetaData`` wrapper (or a bare ``Declaration``) with a
    ``Declaration`` in ``urn:wco:datamodel:WCO:DEC-DMS:2``; a DecMessage has the root
    ``DecMessage`` in ``http://www.chinaport.gov.cn/dec``. Files that are not well-formed
    are still recognised when their first elements are, so a broken DecMessage can be
    answered with a DecMessage receipt.
    """
    for depth, element in enumerate(_start_elements(raw)):
        if depth == 0:
            if element.tag == f"{{{CHINAPORT_NS}}}DecMessage":
                return DECMESSAGE
            if element.tag == f"{{{DEC_NS}}}Declaration":
                return DEC_DMS
            if element.tag != f"{{{MD_NS}}}MetaData":
                return None
        elif element.tag == f"{{{DEC_NS}}}Declaration":
            return DEC_DMS
        elif local_name(element) in {"Response", "Declaration"} or depth > _LOOK_AHEAD:
            return None
    return None


def _start_elements(raw: bytes) -> Iterator[etree._Element]:
    """The elements of ``raw`` as they open, up to the first syntax error (not raised).

    A pull parser fed in small chunks, not ``iterparse``: lxml 6.2 reads iterparse's input
    in one go and raises a syntax error before yielding the elements in front of it. The
    events parsed before an error are still read, so a chunk's size never decides the kind.
    """
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for offset in range(0, len(raw), _CHUNK):
        try:
            parser.feed(raw[offset : offset + _CHUNK])
        except etree.XMLSyntaxError:
            yield from (element for _, element in parser.read_events())
            return
        yield from (element for _, element in parser.read_events())
    with contextlib.suppress(etree.XMLSyntaxError):  # e.g. a file that breaks off
        parser.close()
    yield from (element for _, element in parser.read_events())


__all__ = ["DECMESSAGE", "DEC_DMS", "detect_xml_kind", "kind_of"]
