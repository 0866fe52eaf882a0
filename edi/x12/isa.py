"""The fixed-width ISA header: separators by position, field widths, version.

The ISA is the only X12 segment with fixed-width fields: 16 elements of known widths, so
the element separator is the character at offset 3, the component separator (ISA16) the
character at offset 104 and the segment terminator the character right after it (offset
105). The terminator is a *character*: read from decoded text it may have been several
bytes on the wire (``'\\u00a7'`` is two in UTF-8); line breaks after it are not data and
belong to the tokenizer. In 005010 ISA11 is the repetition separator.

:func:`read_isa` walks the separators instead of trusting offsets, so a field of the wrong
width is reported by name ("ISA06 is 12 characters, expected 15") with the TA1 note code
of that field, where pyx12 would only complain about the version number or the terminator.
Every problem found here is fatal: the interchange is answered with a TA1 and not read on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edi.x12.errors import InterchangeNote, Level, X12Issue

__all__ = [
    "ISA_LENGTH",
    "SUPPORTED_VERSIONS",
    "Delimiters",
    "IsaHeader",
    "IsaRead",
    "read_isa",
    "usable",
]

ISA_LENGTH = 106  # 3 + 16 separators + 86 field characters + the terminator
SUPPORTED_VERSIONS = ("00401", "00501")
_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
# The TA1 note that names a wrong ISA01..ISA16 (ISA11 is the standards id / repetition sep).
_NOTES = (
    InterchangeNote.INVALID_AUTHORIZATION_QUALIFIER,
    InterchangeNote.INVALID_AUTHORIZATION_VALUE,
    InterchangeNote.INVALID_SECURITY_QUALIFIER,
    InterchangeNote.INVALID_SECURITY_VALUE,
    InterchangeNote.INVALID_SENDER_QUALIFIER,
    InterchangeNote.INVALID_SENDER_ID,
    InterchangeNote.INVALID_RECEIVER_QUALIFIER,
    InterchangeNote.INVALID_RECEIVER_ID,
    InterchangeNote.INVALID_DATE,
    InterchangeNote.INVALID_TIME,
    InterchangeNote.INVALID_STANDARDS_ID,
    InterchangeNote.INVALID_VERSION_ID,
    InterchangeNote.INVALID_CONTROL_NUMBER,
    InterchangeNote.INVALID_ACK_REQUESTED,
    InterchangeNote.INVALID_TEST_INDICATOR,
    InterchangeNote.INVALID_COMPONENT_SEPARATOR,
)
_MAX_FIELD = 64  # a field longer than this means a wrong separator, not a long value


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators of one interchange (``repetition`` only in 005010)."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str | None = None


@dataclass(frozen=True, slots=True)
class IsaHeader:
    """ISA01..ISA16 exactly as sent (padding kept), with named accessors."""

    elements: tuple[str, ...]

    def value(self, n: int) -> str:
        """ISA element ``n`` (1-based) with its padding stripped."""
        return self.elements[n - 1].strip()

    @property
    def version(self) -> str:
        """ISA12 Interchange Control Version Number."""
        return self.value(12)

    @property
    def control_number(self) -> str:
        """ISA13 Interchange Control Number."""
        return self.value(13)


@dataclass(frozen=True, slots=True)
class IsaRead:
    """What :func:`read_isa` found: the header (if it could be cut), separators, issues."""

    header: IsaHeader | None
    delimiters: Delimiters | None
    start: int  # offset of "ISA" in the text (a BOM or leading whitespace is skipped)
    length: int  # characters from "ISA" to the terminator inclusive (106 when right)
    issues: tuple[X12Issue, ...]

    @property
    def ok(self) -> bool:
        """True when the interchange can be read on."""
        return self.header is not None and self.delimiters is not None and not self.issues


def _issue(note: InterchangeNote, text: str, line: int, offset: int) -> X12Issue:
    return X12Issue(
        Level.INTERCHANGE,
        note.value,
        text,
        segment_tag="ISA",
        segment_index=1,
        line=line,
        byte_offset=offset,
    )


def _cut(text: str, start: int) -> tuple[list[str], int] | str:
    """ISA01..ISA16 and the offset of the terminator, or why they cannot be cut."""
    sep = text[start + 3]
    fields: list[str] = []
    pos = start + 3
    for n in range(1, 16):
        nxt = text.find(sep, pos + 1, pos + 2 + _MAX_FIELD)
        if nxt < 0:
            return f"ISA{n:02d} is not followed by the element separator {sep!r}"
        fields.append(text[pos + 1 : nxt])
        pos = nxt
    if pos + 2 >= len(text):
        return "the interchange ends inside the ISA segment"
    fields.append(text[pos + 1])
    return fields, pos + 2


def _field_issues(fields: list[str], length: int) -> list[tuple[InterchangeNote, str]]:
    found: list[tuple[InterchangeNote, str]] = []
    for n, (value, width) in enumerate(zip(fields, _WIDTHS, strict=True), start=1):
        if len(value) != width:
            text = (
                f"ISA{n:02d} is {len(value)} characters, expected {width} "
                f"(the ISA is {length} characters, expected {ISA_LENGTH})"
            )
            found.append((_NOTES[n - 1], text))
    return found


def _value_issues(fields: list[str]) -> list[tuple[InterchangeNote, str]]:
    found: list[tuple[InterchangeNote, str]] = []
    version = fields[11]
    if version not in SUPPORTED_VERSIONS:
        note = InterchangeNote.VERSION_NOT_SUPPORTED
        if not (version.isdigit() and len(version) == 5):
            note = InterchangeNote.INVALID_VERSION_ID
        found.append((note, f"ISA12 version {version!r} is not supported (00401, 00501)"))
    if not fields[12].isdigit():
        found.append((InterchangeNote.INVALID_CONTROL_NUMBER, f"ISA13 {fields[12]!r}: digits"))
    for value, fmt, note in (
        (fields[8], "%y%m%d", InterchangeNote.INVALID_DATE),
        (fields[9], "%H%M", InterchangeNote.INVALID_TIME),
    ):
        try:
            datetime.strptime(value, fmt)  # noqa: DTZ007 - a format check, no instant
        except ValueError:
            found.append((note, f"ISA {value!r} is not a valid {fmt}"))
    if fields[13] not in ("0", "1"):
        found.append((InterchangeNote.INVALID_ACK_REQUESTED, f"ISA14 {fields[13]!r}: 0 or 1"))
    if fields[14] not in ("P", "T", "I"):
        found.append((InterchangeNote.INVALID_TEST_INDICATOR, f"ISA15 {fields[14]!r}: P/T/I"))
    return found


def _separator_issues(d: Delimiters) -> list[tuple[InterchangeNote, str]]:
    found: list[tuple[InterchangeNote, str]] = []
    if d.element.isalnum() or d.element.isspace():
        found.append((InterchangeNote.INVALID_ELEMENT_SEPARATOR, "ISA element separator"))
    if d.component.isalnum() or d.component in (d.element, " "):
        found.append((InterchangeNote.INVALID_COMPONENT_SEPARATOR, "ISA16 component separator"))
    if d.segment.isalnum() or d.segment in (d.element, d.component, " "):
        found.append((InterchangeNote.INVALID_SEGMENT_TERMINATOR, "segment terminator"))
    rep = d.repetition
    if rep is not None and (rep.isalnum() or rep in (d.element, d.component, d.segment)):
        found.append((InterchangeNote.INVALID_STANDARDS_ID, "ISA11 repetition separator"))
    return found


def usable(d: Delimiters) -> bool:
    """True when ``d`` can separate an answer (distinct, not letters, digits or spaces)."""
    return not _separator_issues(d)


def read_isa(text: str) -> IsaRead:
    """Read the ISA at the start of ``text`` (a BOM or leading whitespace is skipped)."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    line = 1 + text.count("\n", 0, start)
    if not text.startswith("ISA", start) or len(text) < start + 4:
        note, why = InterchangeNote.INVALID_CONTROL_STRUCTURE, "the data does not begin with ISA"
        return IsaRead(None, None, start, 0, (_issue(note, why, line, start),))
    cut = _cut(text, start)
    if isinstance(cut, str):
        issue = _issue(InterchangeNote.PREMATURE_END, cut, line, start)
        return IsaRead(None, None, start, 0, (issue,))
    fields, term_at = cut
    header = IsaHeader(tuple(fields))
    length = term_at + 1 - start
    found = _field_issues(fields, length)
    if found:  # widths wrong: values are unreliable, report only the widths
        issues = tuple(_issue(note, why, line, start) for note, why in found)
        return IsaRead(header, None, start, length, issues)
    rep = fields[10] if fields[11] == "00501" else None
    delims = Delimiters(text[start + 3], fields[15], text[term_at], rep)
    found = _separator_issues(delims) + _value_issues(fields)
    issues = tuple(_issue(note, why, line, start) for note, why in found)
    return IsaRead(header, delims, start, length, issues)
