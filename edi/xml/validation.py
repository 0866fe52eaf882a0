"""XSD validation against the schemas in ``edi/xml/schemas`` (ours, written from public lists).

Each error becomes an :class:`~edi.xml.issues.XmlIssue` with libxml2's line and the element
path (local names, positions where a name repeats). Compiled schemas are cached per thread:
lxml validators keep their error log on the instance, so sharing one across threads would
mix the errors of two files.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from pathlib import Path

from edi.xml._lxml import etree
from edi.xml.issues import IssueKind, XmlIssue
from edi.xml.parsing import element_path

SCHEMA_DIR = Path(__file__).with_name("schemas")


class Schema(StrEnum):
    """Entry files of the schemas we validate with."""

    DMS = "DocumentMetaData_DMS.xsd"  # md:MetaData around a DEC-DMS Declaration or RES Response
    DECMESSAGE = "DecMessage.xsd"
    DEC_RESULT = "DecResult.xsd"


_local = threading.local()
# libxml2 writes "{namespace}Name"; senders know elements by their local names.
# (Only braces holding a URI: XSD patterns such as \d{8} must stay intact.)
_CLARK = re.compile(r"\{[^{}]*[:/][^{}]*\}")


def compiled(schema: Schema) -> etree.XMLSchema:
    """The compiled schema (one per thread)."""
    cache: dict[Schema, etree.XMLSchema] | None = getattr(_local, "schemas", None)
    if cache is None:
        cache = {}
        _local.schemas = cache
    found = cache.get(schema)
    if found is None:
        # Our own files: parsed without network access all the same.
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        found = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / schema.value), parser))
        cache[schema] = found
    return found


def validate(root: etree._Element, schema: Schema) -> tuple[XmlIssue, ...]:
    """Validate the document of ``root``; no issues means valid."""
    validator = compiled(schema)
    if validator.validate(root):
        return ()
    tree = root.getroottree()
    return tuple(_issue(entry, tree) for entry in validator.error_log)


def _issue(entry: etree._LogEntry, tree: etree._ElementTree) -> XmlIssue:
    element = _element_at(tree, entry.path)
    path = element_path(element) if element is not None else entry.path or None
    return XmlIssue(
        text=_CLARK.sub("", entry.message),
        path=path,
        line=entry.line or (element.sourceline if element is not None else None),
        column=entry.column or None,
        kind=IssueKind.SCHEMA,
    )


def _element_at(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    # libxml2 reports the node as an XPath of "*" steps (e.g. /*/*[6]/*[2]); resolve it so
    # the report can use the element's own names.
    if not path:
        return None
    namespaces = {k: v for k, v in tree.getroot().nsmap.items() if k}
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


__all__ = ["SCHEMA_DIR", "Schema", "compiled", "validate"]
