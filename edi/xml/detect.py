"""Which XML format a received file is, from its first elements only."""

from __future__ import annotations

from io import BytesIO

from edi.xml._lxml import etree
from edi.xml.parsing import local_name

DEC_DMS = "dec-dms"
DECMESSAGE = "decmessage"

MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
CHINAPORT_NS = "http://www.chinaport.gov.cn/dec"
_LOOK_AHEAD = 16  # md:MetaData has six metadata elements before the Declaration


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
    events = etree.iterparse(
        BytesIO(raw),
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for depth, (_, element) in enumerate(events):
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
    except etree.XMLSyntaxError:
        return None
    return None


__all__ = ["DECMESSAGE", "DEC_DMS", "detect_xml_kind", "kind_of"]
