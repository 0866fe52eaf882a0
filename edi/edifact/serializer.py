"""Write segments back to EDIFACT text, releasing every service character.

Two layers:

* :func:`serialize` writes segments *verbatim*: ``Segment`` objects or ``(tag, elements)``
  pairs in the tokenizer's shape (``elements[e][r][c]``). What the tokenizer reads, this
  writes back so that tokenizing it again gives equal elements (tested with hypothesis).
* :func:`seg` builds such a pair from plain Python values, the way writers want to write::

      seg("UNH", "1", ("CUSDEC", "D", "96B", "UN"))
      seg("MOA", ("39", Decimal("1200.50"), "USD"))
      seg("NAD", "IM", ("91310000MA1FL0XX2X", None, "5"), None, "上海进出口贸易有限公司")
      seg("RFF", repeated(("ABT", "1"), ("AAE", "2")))   # syntax 4 repetition

  ``None`` and ``""`` are empty; numbers become text (``Decimal`` without exponent, with
  the decimal mark of your choice); trailing empty components and elements are dropped, as
  ISO 9735 asks (a trailing separator is syntax error 45). ``float`` is refused: amounts
  are ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from edi.edifact.segments import DEFAULT_DELIMITERS, Delimiters, Element, Repetition, Segment

__all__ = [
    "Composite",
    "RawSegment",
    "Repeated",
    "Scalar",
    "SegmentWriter",
    "Value",
    "escape",
    "repeated",
    "seg",
    "serialize",
]

#: A segment as writers build it: tag and elements in the tokenizer's shape.
RawSegment = tuple[str, Sequence[Element]]
Scalar = str | int | Decimal | None
Composite = tuple[Scalar, ...] | list[Scalar]


@dataclass(frozen=True, slots=True)
class Repeated:
    """Occurrences of one repeated element (syntax 4 repetition separator)."""

    occurrences: tuple[Scalar | Composite, ...]


Value = Scalar | Composite | Repeated


def repeated(*occurrences: Scalar | Composite) -> Repeated:
    """Mark an element as repeated: ``repeated(("ABT", "1"), ("AAE", "2"))``."""
    return Repeated(occurrences)


def _text(value: Scalar, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"cannot write {type(value).__name__} {value!r} (use str/int/Decimal)")
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", decimal) if decimal != "." else text


def _trimmed(values: list[str]) -> list[str]:
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return values


def _occurrence(value: Scalar | Composite, decimal: str) -> Repetition:
    if isinstance(value, tuple | list):
        return tuple(_trimmed([_text(v, decimal) for v in value]) or [""])
    return (_text(value, decimal),)


def seg(tag: str, *elements: Value, decimal: str = ".") -> RawSegment:
    """Build a ``(tag, elements)`` pair from plain values (see the module docstring)."""
    out: list[Element] = []
    for value in elements:
        if isinstance(value, Repeated):
            out.append(tuple(_occurrence(v, decimal) for v in value.occurrences) or (("",),))
        else:
            out.append((_occurrence(value, decimal),))
    while out and all(c == "" for r in out[-1] for c in r):
        out.pop()
    return tag, tuple(out)


def _escape_table(d: Delimiters) -> dict[int, str]:
    service = [d.component, d.element, d.segment] + ([d.repetition] if d.repetition else [])
    if d.release is None:
        return {}
    return {ord(c): d.release + c for c in [d.release, *service]}


def escape(value: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    """``value`` with every service character (and the release character) released.

    Raises ``ValueError`` when a service character must be written but the delimiters have
    no release character.
    """
    table = _escape_table(delimiters)
    if not table:
        _check_unreleasable(value, delimiters)
        return value
    return value.translate(table)


def _check_unreleasable(value: str, d: Delimiters) -> None:
    for c in (d.component, d.element, d.segment, d.repetition):
        if c and c in value:
            raise ValueError(f"{value!r} holds service character {c!r} and there is no release")


def serialize(
    segments: Iterable[Segment] | Iterable[RawSegment],
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    *,
    una: bool = False,
    newline: bool = False,
) -> str:
    """EDIFACT text for ``segments``; ``una`` writes the service string advice first.

    ``newline`` puts a line break after every segment terminator (readers ignore it).
    Elements are written verbatim (use :func:`seg` to drop trailing empties); more than
    one repetition needs ``delimiters.repetition``.
    """
    d = delimiters
    table = _escape_table(d)
    end = d.segment + ("\n" if newline else "")
    out: list[str] = [d.una() + ("\n" if newline else "")] if una else []
    for segment in segments:
        tag, elements = (segment.tag, segment.elements) if isinstance(segment, Segment) else segment
        parts = [tag]
        for element in elements:
            if len(element) > 1 and d.repetition is None:
                raise ValueError(f"{tag}: repeated element but no repetition separator")
            occurrences = [d.component.join(_values(r, table, d)) for r in element]
            parts.append(d.repetition.join(occurrences) if d.repetition else "".join(occurrences))
        out.append(d.element.join(parts) + end)
    return "".join(out)


def _values(components: Sequence[str], table: dict[int, str], d: Delimiters) -> list[str]:
    if table:
        return [c.translate(table) for c in components]
    for c in components:
        _check_unreleasable(c, d)
    return list(components)


class SegmentWriter:
    """Segment text straight from plain values: :func:`seg` and :func:`serialize` in one step.

    ``writer("MOA", ("124", Decimal("12.50"), "CNY"))`` returns exactly what
    ``serialize([seg("MOA", ("124", Decimal("12.50"), "CNY"), decimal=d.decimal)], d,
    newline=...)`` returns, without building the intermediate element tuples: answer writers
    (CUSRES: about 50 segments per declaration) spent more time in that generic path than in
    everything else they do. ``Decimal`` values take ``delimiters.decimal`` as their decimal
    mark. Repeated elements are not supported (use :func:`seg`). :meth:`of` gives the writer
    of a set of delimiters, kept: it remembers the texts it escaped (codes, currencies and
    qualifiers repeat in every answer; releasing service characters costs more than looking
    the text up).
    """

    __slots__ = (
        "_check",
        "_component",
        "_decimal",
        "_element",
        "_end",
        "_escaped",
        "_numbers_plain",
        "_segments",
        "_table",
    )

    def __init__(self, delimiters: Delimiters, *, newline: bool = False) -> None:
        self._table = _escape_table(delimiters)
        self._check = delimiters  # used only when there is no release character
        self._component = delimiters.component
        self._element = delimiters.element
        self._decimal = delimiters.decimal
        self._end = delimiters.segment + ("\n" if newline else "")
        self._escaped: dict[str, str] = {}
        self._segments: dict[Hashable, str] = {}
        # A number's text (digits, sign, decimal mark) needs no release unless one of those
        # characters is a service character (no sane UNA does that; then they are released).
        self._numbers_plain = not any(ord(c) in self._table for c in "0123456789-" + self._decimal)

    @staticmethod
    @lru_cache(maxsize=64)
    def of(delimiters: Delimiters, newline: bool = False) -> SegmentWriter:
        """The (shared) writer of ``delimiters``."""
        return SegmentWriter(delimiters, newline=newline)

    def __call__(self, tag: str, *elements: Scalar | Composite) -> str:
        """One segment's text, terminator included; trailing empty values are dropped."""
        if not self._table:
            return self._unreleasable(tag, elements)
        # One loop with the common cases inline (text, empty): a call per value cost more
        # than escaping it.
        escaped = self._escaped
        parts = [tag]
        for value in elements:
            if value.__class__ is tuple or value.__class__ is list:
                texts = []
                for v in value:
                    if v.__class__ is str:
                        text = escaped.get(v)
                        texts.append(self._escape(v) if text is None else text)
                    else:
                        texts.append("" if v is None else self._escape(v))
                while len(texts) > 1 and texts[-1] == "":
                    texts.pop()
                parts.append(self._component.join(texts))
            elif value.__class__ is str:
                text = escaped.get(value)
                parts.append(self._escape(value) if text is None else text)
            else:
                parts.append("" if value is None else self._escape(value))  # type: ignore[arg-type]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()  # an element is empty exactly when its text is
        return self._element.join(parts) + self._end

    def remembered(self, key: Hashable, tag: str, *elements: Scalar | Composite) -> str:
        """``self(tag, *elements)``, written once per ``key`` and then looked up.

        For the segments an answer writer repeats from answer to answer (an item's CST, a
        TAX of a rate, UNH): ``key`` must determine the text, so it names the values as
        they are written (a ``Decimal`` by its text: 0.13 and 0.130 are equal Decimals
        written differently).
        """
        text = self._segments.get(key)
        if text is None:
            if len(self._segments) >= _ESCAPED_LIMIT:
                self._segments.clear()
            text = self._segments[key] = self(tag, *elements)
        return text

    def amount(self, tag: str, qualifier: str, value: Decimal, currency: str) -> str:
        """``self(tag, (qualifier, value, currency))`` (a MOA segment), written directly:
        answers write two per duty line."""
        if not self._table or value.__class__ is not Decimal:
            return self(tag, (qualifier, value, currency))
        escaped = self._escaped
        q = escaped.get(qualifier)
        if q is None:
            q = self._escape(qualifier)
        number = self._escape(value)  # never empty
        c = escaped.get(currency)
        if c is None:
            c = self._escape(currency)
        component = self._component
        if c:
            return f"{tag}{self._element}{q}{component}{number}{component}{c}{self._end}"
        return f"{tag}{self._element}{q}{component}{number}{self._end}"

    def _escape(self, value: Scalar) -> str:
        """``value`` as released text; text is remembered (numbers vary, and are not)."""
        if value.__class__ is str:
            text: str = value.translate(self._table)
            if len(self._escaped) >= _ESCAPED_LIMIT:
                self._escaped.clear()
            self._escaped[value] = text
            return text
        if value.__class__ is Decimal:
            # str() is format "f" unless it chose an exponent (and is three times faster).
            text = str(value)
            if "E" in text or "e" in text:  # (a context may write it in lower case)
                text = format(value, "f")
            if self._decimal != ".":
                text = text.replace(".", self._decimal)
            return text if self._numbers_plain else text.translate(self._table)
        return _text(value, self._decimal).translate(self._table)

    def _unreleasable(self, tag: str, elements: tuple[Scalar | Composite, ...]) -> str:
        """Without a release character: values are written as they are, or refused."""
        parts = [tag]
        for value in elements:
            values = value if isinstance(value, tuple | list) else (value,)
            texts = [_text(v, self._decimal) for v in values]
            for text in texts:
                _check_unreleasable(text, self._check)
            while len(texts) > 1 and texts[-1] == "":
                texts.pop()
            parts.append(self._component.join(texts))
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        return self._element.join(parts) + self._end


#: Texts a writer remembers at most (then it starts afresh).
_ESCAPED_LIMIT = 4096
