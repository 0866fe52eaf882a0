"""Hardened parsing of untrusted XML, and element paths for error reports.

Received files are parsed with entity resolution, DTD loading and network access switched
off and libxml2's size limits kept (``huge_tree=False``). Beyond that, a document that
declares a DOCTYPE or an entity is refused outright rather than parsed quietly: neither
format uses one, and a refusal tells the sender exactly what to remove. Every refusal is an
:class:`~edi.xml.issues.XmlInputError` carrying line and column.
"""

from __future__ import annotations

import re
import threading

from edi.xml._lxml import etree
from edi.xml.issues import IssueKind, XmlInputError, XmlIssue

#: Largest file accepted (bytes). A declaration with 50 items is ~100 kB; 16 MiB leaves room.
MAX_BYTES = 16 * 1024 * 1024

_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)")
#: Encodings in which the bytes of ``<!DOCTYPE`` / ``<!ENTITY`` are those ASCII bytes, and no
#: other character's bytes contain them (UTF-7, UTF-32 and EBCDIC are not among them).
_SCANNABLE = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "gbk", "gb2312", "gb18030"})
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_local = threading.local()


def _parser() -> etree.XMLParser:
    # A parser must not be shared between threads; one per thread is cheap and reusable.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
        )
        _local.parser = parser
    return parser


def parse_xml(raw: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse ``raw`` safely and return the root element.

    Raises :class:`XmlInputError` for oversized input, a DOCTYPE or entity declaration,
    entity references, or XML that is not well-formed (with libxml2's line and column).
    """
    if len(raw) > max_bytes:
        raise XmlInputError(
            XmlIssue(f"file of {len(raw)} bytes exceeds {max_bytes}", kind=IssueKind.FORBIDDEN)
        )
    _refuse_declarations(raw)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        text = f"not well-formed XML: {exc.msg}"
        raise XmlInputError(
            XmlIssue(text, line=line, column=column, kind=IssueKind.SYNTAX)
        ) from None
    if root is None:  # lxml returns None for some recoverable empty inputs
        raise XmlInputError(XmlIssue("empty document", kind=IssueKind.SYNTAX))
    # When the byte scan could read the text (the encoding writes ASCII as ASCII), it has
    # already seen any DOCTYPE or entity declaration; without one there can be no entity
    # node, and walking the tree again for one costs more than the scan.
    encoding = (root.getroottree().docinfo.encoding or "").lower()
    if encoding not in _SCANNABLE and not encoding.startswith("iso-8859-"):
        _refuse_parsed_constructs(root)
    return root


def _refuse_declarations(raw: bytes) -> None:
    text = raw
    if raw.startswith(_UTF16_BOMS):
        # The byte scan below only sees ASCII-compatible encodings; decode UTF-16 first.
        text = raw.decode("utf-16", errors="replace").encode("utf-8")
    # "!" is rare in declarations and a one-byte find is a memchr-speed scan (searching for
    # "<!" is not: "<" opens every tag); the regex runs only when a "!" occurs at all.
    if b"!" not in text:
        return
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    offset = found.start()
    line = text.count(b"\n", 0, offset) + 1
    column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
    what = "a DOCTYPE" if found.group(1) == b"DOCTYPE" else "an entity declaration"
    raise XmlInputError(
        XmlIssue(
            f"{what} is not allowed: remove the <!{found.group(1).decode()} …> declaration",
            line=line,
            column=column,
            kind=IssueKind.FORBIDDEN,
        )
    )


def _refuse_parsed_constructs(root: etree._Element) -> None:
    # Belt and braces for encodings the byte scan cannot read (e.g. UTF-32, EBCDIC).
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlInputError(
            XmlIssue("a DOCTYPE is not allowed", line=1, column=1, kind=IssueKind.FORBIDDEN)
        )
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise XmlInputError(
            XmlIssue(
                f"entity reference {entity.text} is not allowed",
                path=element_path(entity.getparent()),
                line=entity.sourceline,
                kind=IssueKind.FORBIDDEN,
            )
        )


def local_name(element: etree._Element) -> str:
    """The element's tag without its namespace."""
    tag = element.tag
    if not isinstance(tag, str):
        return "#node"
    return tag.rpartition("}")[2]


def element_path(element: etree._Element | None) -> str | None:
    """A readable XPath of ``element``: local names, positions only where a name repeats."""
    if element is None:
        return None
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = local_name(node)
        if parent is not None:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


__all__ = ["MAX_BYTES", "element_path", "local_name", "parse_xml"]
