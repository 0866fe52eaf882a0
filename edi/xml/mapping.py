"""Shared machinery of the two readers: values with provenance, and model errors located.

A reader fills plain dicts (header, items) through :class:`Builder`, which remembers the
element each canonical field came from. The canonical model then validates the whole
declaration once; every error it raises is reported at the element that carried the value,
so the sender learns all problems of the file at once, each with a path and a line.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from edi.model import Declaration
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode
from edi.xml.issues import IssueKind, MappingResult, XmlIssue
from edi.xml.parsing import element_path

Loc = tuple[str | int, ...]


def text(element: etree._Element | None) -> str | None:
    """The element's text, stripped; None for a missing or empty element."""
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def first(default: etree._Element, *candidates: etree._Element | None) -> etree._Element:
    """The first candidate that is not None, else ``default``.

    (``a or b`` must not be used with elements: it tests an element's number of children.)
    """
    return next((e for e in candidates if e is not None), default)


def issue_at(text_: str, element: etree._Element | None, kind: IssueKind) -> XmlIssue:
    """An issue located at ``element`` (path and line)."""
    if element is None:
        return XmlIssue(text_, kind=kind)
    return XmlIssue(text_, path=element_path(element), line=element.sourceline, kind=kind)


class Node:
    """An element with its children indexed by tag in one pass.

    Readers look up dozens of children per element; one pass over the children and dict
    lookups cost a fraction of repeated ``element.find(path)`` calls (which parse the path
    and walk the children each time).
    """

    __slots__ = ("_first", "_ns", "element")

    def __init__(self, element: etree._Element | None, ns: str) -> None:
        self.element = element
        self._ns = ns
        first: dict[Any, etree._Element] = {}
        if element is not None:
            for child in element:
                first.setdefault(child.tag, child)
        self._first = first

    def one(self, name: str) -> etree._Element | None:
        """The first child named ``name`` (local name in the node's namespace)."""
        return self._first.get(self._ns + name)

    def many(self, name: str) -> list[etree._Element]:
        """All children named ``name``."""
        if self.element is None or self._ns + name not in self._first:
            return []
        found: list[etree._Element] = self.element.findall(self._ns + name)
        return found

    def node(self, name: str) -> Node:
        """The first child named ``name`` as a node (an empty node when absent)."""
        return Node(self.one(name), self._ns)

    def nodes(self, name: str) -> list[Node]:
        """All children named ``name`` as nodes."""
        return [Node(e, self._ns) for e in self.many(name)]

    def text(self, name: str) -> str | None:
        """The stripped text of the first child named ``name``."""
        return text(self.one(name))


class Builder:
    """Canonical field values as plain data, each remembering its source element."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.header: dict[str, Any] = {}
        self.items: list[dict[str, Any]] = []
        self.issues: list[XmlIssue] = []
        self._origin: dict[Loc, etree._Element] = {}
        self._reported: set[Loc] = set()

    def put(self, loc: Loc, value: Any, element: etree._Element | None) -> None:
        """Set the canonical field at ``loc`` (e.g. ``("items", 0, "value")``)."""
        if value is None:
            return
        target: Any = self.header
        for step in loc[:-1]:
            if target is self.header and step == "items":
                target = self.items
            elif isinstance(step, int):
                target = target[step]
            else:
                target = target.setdefault(step, {})
        target[loc[-1]] = value
        if element is not None:
            self._origin[loc] = element

    def remember(self, loc: Loc, element: etree._Element) -> None:
        """Record ``element`` as the source of a composite value at ``loc``."""
        self._origin[loc] = element

    def decimal(self, element: etree._Element | None) -> Decimal | None:
        """The element's text as a Decimal; an issue (and None) when it is not a number."""
        raw = text(element)
        if raw is None:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            self.issues.append(issue_at(f"{raw!r} is not a number", element, IssueKind.MAPPING))
            return None
        return value

    def unknown(
        self, error: UnknownCode, element: etree._Element | None, loc: Loc | None = None
    ) -> None:
        """Report a code missing from one of our tables (for the field at ``loc``)."""
        self.issues.append(issue_at(str(error), element, IssueKind.UNKNOWN_CODE))
        if loc is not None:
            self._reported.add(loc)

    def problem(self, message: str, element: etree._Element | None, loc: Loc | None = None) -> None:
        """Report a value the reader cannot map (for the field at ``loc``)."""
        self.issues.append(issue_at(message, element, IssueKind.MAPPING))
        if loc is not None:
            self._reported.add(loc)

    def finish(self) -> MappingResult:
        """Validate the collected values as a :class:`Declaration`."""
        data = dict(self.header)
        data["items"] = self.items
        try:
            declaration = Declaration.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            # A failing item also empties the item tuple; that echo would only confuse.
            item_errors = any(len(e["loc"]) > 1 and e["loc"][0] == "items" for e in errors)
            located = [
                self._located(err)
                for err in errors
                if not (item_errors and tuple(err["loc"]) == ("items",))
                # A field the reader already reported would only come back as "required".
                and tuple(err["loc"]) not in self._reported
            ]
            return MappingResult(None, _sorted([*self.issues, *located]))
        if self.issues:
            return MappingResult(None, _sorted(self.issues))
        return MappingResult(declaration, ())

    def _located(self, err: Any) -> XmlIssue:
        loc = tuple(err["loc"])
        name = ".".join(str(p) for p in loc) or "declaration"
        message = f"{name}: {err['msg']}"
        # The longest recorded prefix of the error location names the element that carried it.
        for cut in range(len(loc), 0, -1):
            element = self._origin.get(loc[:cut])
            if element is not None:
                return issue_at(message, element, IssueKind.MAPPING)
        return issue_at(message, self.root, IssueKind.MAPPING)


def _sorted(issues: list[XmlIssue]) -> tuple[XmlIssue, ...]:
    return tuple(sorted(issues, key=lambda i: (i.line or 0, i.path or "")))


__all__ = ["Builder", "Loc", "Node", "first", "issue_at", "text"]
