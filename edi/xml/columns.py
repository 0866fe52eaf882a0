"""The column of an element named in an issue, read back from the received bytes.

libxml2 keeps a line for every element (``sourceline``) but no column, so a mapping issue
came with a path and a line only. On a file written on one line (common for generated
DecMessage files) the line says nothing; the column of the element's start tag does. It is
found again in the source line: the element's start tag is the n-th start tag of its name on
that line, n counted over the elements of that name that the document puts on the line
before it. Columns count characters from 1, as an editor shows them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from edi.xml._lxml import etree
from edi.xml.issues import XmlIssue
from edi.xml.parsing import local_name

_STEP = re.compile(r"^([^\[\]]+)(?:\[(\d+)\])?$")


def with_columns(
    issues: Iterable[XmlIssue], root: etree._Element, raw: bytes
) -> tuple[XmlIssue, ...]:
    """``issues`` with the column of the element each names (by its path), where it has none."""
    lines: list[str] | None = None
    located: list[XmlIssue] = []
    for issue in issues:
        element = None if issue.column is not None else element_at(root, issue.path)
        if element is not None and issue.line == element.sourceline:
            if lines is None:  # decoded once, and only for a file with something to locate
                encoding = root.getroottree().docinfo.encoding or "utf-8"
                lines = raw.decode(encoding, errors="replace").split("\n")
            column = start_tag_column(element, lines)
            if column is not None:
                issue = dataclasses.replace(issue, column=column)
        located.append(issue)
    return tuple(located)


def element_at(root: etree._Element, path: str | None) -> etree._Element | None:
    """The element of a path written by :func:`~edi.xml.parsing.element_path`, or None."""
    if not path or not path.startswith("/"):
        return None
    steps = path[1:].split("/")
    first = _STEP.match(steps[0])
    if first is None or first.group(1) != local_name(root):
        return None
    node = root
    for step in steps[1:]:
        matched = _STEP.match(step)
        if matched is None:
            return None
        same = [child for child in node if local_name(child) == matched.group(1)]
        position = int(matched.group(2) or 1)
        if position > len(same):
            return None
        node = same[position - 1]
    return node


def start_tag_column(element: etree._Element, lines: list[str]) -> int | None:
    """The column of ``element``'s start tag in the source ``lines``, or None if not found."""
    number = element.sourceline
    if number is None or not 0 < number <= len(lines):
        return None
    before = 0
    for other in element.getroottree().iter(element.tag):
        if other is element:
            break
        if other.sourceline == number:
            before += 1
    name = local_name(element)
    qualified = f"{element.prefix}:{name}" if element.prefix else name
    tags = re.finditer(rf"<{re.escape(qualified)}(?=[\s/>])", lines[number - 1])
    found = next((m for i, m in enumerate(tags) if i == before), None)
    return None if found is None else found.start() + 1


__all__ = ["element_at", "start_tag_column", "with_columns"]
