"""Cut an interchange into segments with positions, guarding pyx12's gaps.

:func:`scan` splits the decoded text on the segment terminator found by
:func:`~edi.x12.isa.read_isa` and records, for every segment, its index in the interchange,
its line and the byte offset of its first byte in the raw input. It also builds the text
pyx12 is given to check the envelopes: the same segments, one terminator each, so that
segment *n* of pyx12 is segment *n* here.

Guarded on the way (pyx12 would misbehave on each):

* an empty segment (``~~``, or only line breaks/spaces between two terminators): pyx12
  stops reading there and silently drops the rest of the file (or crashes on spaces). Here
  it is reported as a warning with its position and left out of the text handed to pyx12;
  reading goes on. It is not a segment (it has no ID), so it is not counted in SE01.
* line breaks before or after a segment (``~\\r\\n``) are not data and are stripped;
* data after the last terminator (a missing final terminator) is reported (TA1 023) and
  still read as a segment so that the trailer checks see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edi.x12.errors import InterchangeNote, Level, Severity, X12Issue
from edi.x12.isa import Delimiters

__all__ = ["RawSegment", "Scan", "scan"]

_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_LINE_BREAKS = "\r\n"


@dataclass(frozen=True, slots=True)
class RawSegment:
    """One segment as received: its tag, its elements (``elements[0]`` is XX01)."""

    index: int
    tag: str
    elements: tuple[str, ...]
    line: int
    byte_offset: int

    def element(self, n: int) -> str:
        """Element ``n`` (1-based), ``""`` when absent."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""

    @property
    def valid_tag(self) -> bool:
        """True when the tag is a syntactically valid X12 segment ID."""
        return _TAG.fullmatch(self.tag) is not None


@dataclass(frozen=True, slots=True)
class Scan:
    """The segments of one interchange and what the tokenizer noticed."""

    segments: tuple[RawSegment, ...]
    issues: tuple[X12Issue, ...]
    clean_text: str  # what pyx12 reads: ISA + the segments, empty ones left out
    empty_after: tuple[int, ...]  # for each empty segment, the index of the segment before it


class _Cursor:
    """Line and byte position while walking the text (bytes only differ for UTF-8)."""

    def __init__(self, text: str, start: int, byte_base: int, one_byte: bool) -> None:
        self.line = 1 + text.count("\n", 0, start)
        self.byte = byte_base + (start if one_byte else len(text[:start].encode()))
        self.one_byte = one_byte

    def width(self, chunk: str) -> int:
        return len(chunk) if self.one_byte else len(chunk.encode())

    def advance(self, chunk: str) -> None:
        self.line += chunk.count("\n")
        self.byte += self.width(chunk)


def scan(
    text: str, start: int, isa_length: int, d: Delimiters, byte_base: int = 0, one_byte: bool = True
) -> Scan:
    """Split ``text`` (whose ISA starts at ``start`` and is ``isa_length`` long) into segments.

    ``byte_base`` is the number of raw bytes before ``text`` (a stripped BOM); ``one_byte``
    says every character was one byte on the wire (ASCII or Latin-1), which keeps byte
    offsets free to compute.
    """
    cur = _Cursor(text, start, byte_base, one_byte)
    isa_text = text[start : start + isa_length]
    segments = [RawSegment(1, "ISA", tuple(isa_text[4:-1].split(d.element)), cur.line, cur.byte)]
    cur.advance(isa_text)
    issues: list[X12Issue] = []
    empty_after: list[int] = []
    clean = [isa_text]
    pieces = text[start + isa_length :].split(d.segment)
    last = pieces.pop()
    for piece in pieces:
        lead = len(piece) - len(piece.lstrip(_LINE_BREAKS))
        body = piece.strip(_LINE_BREAKS)
        cur.advance(piece[:lead])
        if body.strip():
            index = len(segments) + 1
            parts = body.split(d.element)
            segments.append(RawSegment(index, parts[0], tuple(parts[1:]), cur.line, cur.byte))
            clean.append(body + d.segment)
        else:
            empty_after.append(len(segments))
            issues.append(_empty(len(segments), cur.line, cur.byte))
        cur.advance(piece[lead:] + d.segment)
    tail = last.strip(_LINE_BREAKS + " \t")
    if tail:
        cur.advance(last[: len(last) - len(last.lstrip(_LINE_BREAKS))])
        parts = tail.split(d.element)
        seg = RawSegment(len(segments) + 1, parts[0], tuple(parts[1:]), cur.line, cur.byte)
        segments.append(seg)
        clean.append(tail + d.segment)
        issues.append(_unterminated(seg, d.segment))
    return Scan(tuple(segments), tuple(issues), "".join(clean), tuple(empty_after))


def _empty(after: int, line: int, offset: int) -> X12Issue:
    text = (
        f"empty segment (two segment terminators with nothing between) after segment {after}, "
        f"line {line}, byte {offset}: skipped, the rest of the interchange is read"
    )
    return X12Issue(
        Level.SEGMENT,
        "empty",
        text,
        Severity.WARNING,
        segment_index=None,
        line=line,
        byte_offset=offset,
    )


def _unterminated(seg: RawSegment, terminator: str) -> X12Issue:
    text = f"segment {seg.index} ({seg.tag}) is not ended by the segment terminator {terminator!r}"
    return X12Issue(
        Level.INTERCHANGE,
        InterchangeNote.PREMATURE_END.value,
        text,
        segment_tag=seg.tag,
        segment_index=seg.index,
        line=seg.line,
        byte_offset=seg.byte_offset,
    )
