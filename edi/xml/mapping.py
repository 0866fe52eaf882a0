"""Shared machinery of the two readers: one-pass extraction, values with provenance, errors.

A reader works in two steps. :func:`extract` walks the document once, guided by a
:data:`Spec` of the elements the field map reads, and returns nested :data:`Record` dicts
keyed by local name (the elements themselves, so every value keeps its line and path).
The reader then fills plain dicts through :class:`Fields`, which remember the element each
canonical field came from. The canonical model validates the whole declaration once
(:meth:`Builder.finish`); every error it raises is reported at the element that carried the
value, so the sender learns all problems of the file at once, each with a path and a line.

Why not ``element.find(path)`` per field: lxml's ``find`` costs about 1.7 µs a call (the
path is parsed and the children walked in Python each time), a DEC-DMS file has some 200
elements, and the issue budget is "parse + validate + map within 2× of bare lxml parse +
validate" (see benchmarks/xml_bench.py and docs/adr/0003-xml-mapping-in-one-pass.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias, Union

from pydantic import ValidationError

from edi.model import Declaration, Party
from edi.xml._lxml import etree
from edi.xml.codes import UnknownCode
from edi.xml.issues import IssueKind, MappingResult, XmlIssue
from edi.xml.parsing import element_path

Loc = tuple[str | int, ...]
#: Where a value came from: its element, or for a composite value (a party) a dict of the
#: element of each field (an element, a list of them, or None) with ``"@"`` for the whole.
Origin: TypeAlias = "etree._Element | dict[str, Any]"
#: What :func:`extract` returns: local name → element, nested record, or a list of either;
#: ``"@"`` holds the record's own element.
Record = dict[str, Any]
#: A record for an absent element: every lookup in it finds nothing (never written to).
EMPTY: Record = {"@": None}
#: The compiled shape of a document: Clark tag → (local name, nested spec or None, repeated).
Spec = dict[str, tuple[str, "Spec | None", bool]]
#: How a shape is written: local name → None (a leaf), a nested shape, or a one-element list
#: holding either (the element repeats). A name may carry its own namespace as ``{uri}name``.
Shape = Mapping[str, Union["Shape", list[Any], None]]


def compile_spec(ns: str, shape: Shape) -> Spec:
    """Turn a readable :data:`Shape` (local names in namespace ``ns``) into a :data:`Spec`."""
    spec: Spec = {}
    for name, rule in shape.items():
        repeated = isinstance(rule, list)
        inner = rule[0] if isinstance(rule, list) else rule
        tag = name if name.startswith("{") else ns + name
        local = tag.rpartition("}")[2]
        spec[tag] = (local, None if inner is None else compile_spec(ns, inner), repeated)
    return spec


def extract(element: etree._Element, spec: Spec) -> Record:
    """The children of ``element`` named in ``spec``, recursively, in one pass.

    A single child keeps its first occurrence (as ``find`` would); a repeated one becomes a
    list in document order. Children the spec does not name (and comments) are skipped.
    """
    record: Record = {"@": element}
    for child in element:
        rule = spec.get(child.tag)
        if rule is None:
            continue
        name, inner, repeated = rule
        value = child if inner is None else extract(child, inner)
        if repeated:
            found = record.get(name)
            if found is None:
                record[name] = [value]
            else:
                found.append(value)
        elif name not in record:
            record[name] = value
    return record


def text(element: etree._Element | None) -> str | None:
    """The element's text, stripped; None for a missing or empty element."""
    if element is None:
        return None
    value = element.text
    if value is None:
        return None
    value = value.strip()
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


def valid_party(values: dict[str, Any]) -> Party | None:
    """``values`` (a canonical party dict) validated as a :class:`Party`; None when invalid.

    For the readers' party caches. The same traders come back on declaration after
    declaration, and a party costs about as much to validate as a goods item (its identifier
    checks included); a reader caches this verdict by the source texts the party was built
    from and hands the declaration the frozen instance, which pydantic accepts as it is
    (``revalidate_instances="never"``, the default). An invalid party gives None: the reader
    passes its dict on, so the declaration's validation reports the same errors at the same
    locations as without the cache.
    """
    try:
        return Party.model_validate(values)
    except ValidationError:
        return None


class Fields:
    """Canonical field values of one model (header, transport, item), with their sources.

    ``origins`` mirrors ``values``: field → element, or a nested origins dict / list for
    composite fields; ``"@"`` is the element the whole model came from.
    """

    __slots__ = ("origins", "values")

    def __init__(self, element: etree._Element | None) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, Any] = {"@": element}

    def put(self, field: str, value: Any, element: etree._Element | None) -> None:
        """Set ``field`` unless ``value`` is None (an absent field is not an empty one)."""
        if value is not None:
            self.values[field] = value
            if element is not None:
                self.origins[field] = element

    def put_many(self, field: str, values: list[Any], anchors: list[Origin]) -> None:
        """Set a list field (parties, documents, items…); ``anchors[i]`` locates ``values[i]``:
        its element, or an origins dict (``"@"`` and the element of each of its fields) so that
        an error in one of its fields is reported at the child that held the value."""
        if values:
            self.values[field] = values
            self.origins[field] = anchors

    def nest(self, field: str, inner: Fields) -> None:
        """Set a nested model (e.g. transport) when it holds any value."""
        if inner.values:
            self.values[field] = inner.values
            self.origins[field] = inner.origins


class Builder:
    """The declaration's header fields, its items, and the issues found on the way."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.header = Fields(root)
        self.items: list[Fields] = []
        self.issues: list[XmlIssue] = []
        self._reported: set[Loc] = set()

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
        data = dict(self.header.values)
        data["items"] = [item.values for item in self.items]
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
        return issue_at(message, self._origin(loc), IssueKind.MAPPING)

    def _origin(self, loc: Loc) -> etree._Element:
        # The deepest recorded source along the error location names the element.
        origins: Any = dict(self.header.origins)
        origins["items"] = [item.origins for item in self.items]
        best: etree._Element = self.root
        for step in loc:
            if isinstance(origins, dict):
                origins = origins.get(step) if isinstance(step, str) else None
            elif isinstance(origins, list) and isinstance(step, int) and step < len(origins):
                origins = origins[step]
            else:
                break
            if origins is None:
                break
            if isinstance(origins, etree._Element):
                return origins
            if isinstance(origins, dict) and origins.get("@") is not None:
                best = origins["@"]
        return best


def _sorted(issues: list[XmlIssue]) -> tuple[XmlIssue, ...]:
    return tuple(sorted(issues, key=lambda i: (i.line or 0, i.path or "")))


__all__ = [
    "EMPTY",
    "Builder",
    "Fields",
    "Loc",
    "Origin",
    "Record",
    "Shape",
    "Spec",
    "compile_spec",
    "extract",
    "first",
    "issue_at",
    "text",
    "valid_party",
]
