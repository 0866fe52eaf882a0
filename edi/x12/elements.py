"""Element syntax of the segments this channel reads (AK4/IK4 element errors).

Specs are (requirement, minimum length, maximum length, X12 type[, codes]) per element, taken
from the bots-edi X12 record definitions for 004010 and 005010 (``records004010.py``,
``records005010.py``) and the stedi.com segment pages. Only the segments the channel maps or
writes are described; others are checked for structure only. ``closed`` says the element
list is complete, so extra elements are "too many data elements" (AK403 = 3).

Lengths count characters; for R and N0 only digits count (X12: sign and decimal point do
not). Composites ("C") are only checked for presence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from edi.x12.errors import ElementError, Level, X12Issue
from edi.x12.tokenizer import RawSegment

__all__ = ["SPECS", "ElementSpec", "SegmentSpec", "check_elements", "spec_for"]

_R = re.compile(r"-?(\d+\.?\d*|\.\d+)")
_N0 = re.compile(r"-?\d+")
_CONTROL = re.compile(r"[\x00-\x1f]")
_WEIGHT_UNITS = frozenset("EKLMOST")  # element 188 Weight Unit Code


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One element: mandatory?, min/max length, type (AN ID R N0 DT TM C), allowed codes."""

    required: bool
    min: int
    max: int
    kind: str
    codes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """The elements of one segment; ``closed``: no element beyond the last one exists."""

    elements: tuple[ElementSpec, ...]
    closed: bool = True


def _seg(tag: str, specs: str) -> SegmentSpec:
    """``"M 2 4 ID, C 1 30 AN, ..."`` (a trailing ``...``: more elements exist)."""
    parts = [p.strip() for p in specs.split(",")]
    closed = parts[-1] != "..."
    elements: list[ElementSpec] = []
    for n, part in enumerate(p for p in parts if p != "..."):
        req, lo, hi, kind = part.split()
        codes = _CODES.get((tag, n + 1))
        elements.append(ElementSpec(req == "M", int(lo), int(hi), kind, codes))
    return SegmentSpec(tuple(elements), closed)


#: Code lists checked (AK403 = 7): (segment, element) -> codes.
_CODES = {
    ("M10", 10): frozenset("BCLZ"),  # 897 Vessel Code Qualifier
    ("M11", 6): _WEIGHT_UNITS,
    ("N10", 7): _WEIGHT_UNITS,
}
_M10 = "M 2 4 ID, M 1 2 ID, M 2 3 ID, C 1 8 ID, C 2 28 AN, M 2 10 AN"
_M11 = "M 1 30 AN, {q}, C 1 8 R, C 1 1 ID, C 2 2 ID, C 1 17 AN, C 1 {n} AN, M 2 4 ID, " + (
    "C 2 4 ID, C 2 4 ID, C 2 4 ID, C 1 2 AN, C 2 2 ID, C 2 4 ID, C 2 4 ID"
)
_X4 = "C 1 {n} AN, C 1 15 R, C 2 2 ID, C 1 15 AN, M 8 8 DT, C 4 8 TM, M 2 2 ID, C 1 {n} AN, " + (
    "M 2 4 ID, C 2 4 ID, C 1 4 AN, C 1 {e} AN, ..."
)
_COMMON = {
    "LX": "M 1 6 N0",
    "N1": "M 2 3 ID, C 1 60 AN, C 1 2 ID, C 2 80 AN, C 2 2 ID, C 2 3 ID",
    "N3": "M 1 55 AN, C 1 55 AN",
    "N4": "C 2 30 AN, C 2 2 ID, C 3 15 ID, C 2 3 ID, C 1 2 ID, C 1 30 AN, ...",
    "N10": "C 1 15 R, C 1 45 AN, C 1 48 AN, C 1 1 ID, C 1 30 AN, C 2 8 AN, C 1 1 ID, C 1 10 R, ...",
    "K1": "M 1 30 AN, C 1 30 AN",
    "K3": "M 1 80 AN, C 1 2 ID, C 0 0 C",
    "AK1": "M 2 2 ID, M 1 9 N0, C 1 12 AN",
    "AK2": "M 3 3 ID, M 4 9 AN, C 1 35 AN",
    "AK3": "M 2 3 ID, M 1 6 N0, C 1 4 AN, C 1 3 ID",
    "IK3": "M 2 3 ID, M 1 10 N0, C 1 4 AN, C 1 3 ID",
    "AK5": "M 1 1 ID" + ", C 1 3 ID" * 5,
    "IK5": "M 1 1 ID" + ", C 1 3 ID" * 5,
    "AK9": "M 1 1 ID, M 1 6 N0, M 1 6 N0, M 1 6 N0" + ", C 1 3 ID" * 5,
}
_BY_VERSION = {
    "004010": {
        "M10": _M10 + ", C 1 30 AN, C 1 15 R, M 1 1 ID, C 1 1 ID, C 1 1 ID, C 1 30 AN",
        "P4": "M 1 30 AN, M 8 8 DT, C 1 15 R, C 1 30 AN, C 4 8 TM",
        "M11": "M 1 12 AN, " + _M11.format(q="M 1 15 R, M 1 3 ID, M 1 10 R, M 1 1 ID", n=12),
        "VID": "M 2 2 ID, C 1 4 AN, M 1 10 AN, C 2 15 AN, C 2 15 AN, ...",
        "X4": _X4.format(n=12, e=10),
        "N7": "C 1 4 AN, M 1 10 AN, ...",
    },
    "005010": {
        "M10": _M10 + ", C 1 50 AN, C 1 15 R, C 1 1 ID, C 1 1 ID, C 1 1 ID, C 1 50 AN, "
        "C 2 2 ID, C 2 2 ID",
        "P4": "M 1 30 AN, M 8 8 DT, C 1 15 R, C 1 30 AN, C 4 8 TM, C 8 8 DT, C 4 8 TM",
        "M11": "M 1 25 AN, "
        + _M11.format(q="C 1 15 R, C 1 3 ID, C 1 10 R, C 1 1 ID", n=25)
        + ", C 1 30 AN, C 1 30 AN, C 1 2 ID, C 3 3 ID, C 1 30 AN",
        "VID": "M 2 2 ID, C 1 4 AN, M 1 15 AN, C 2 15 AN, C 2 15 AN, ...",
        "X4": _X4.format(n=25, e=15),
        "N7": "C 1 4 AN, M 1 15 AN, ...",
    },
}
SPECS: dict[str, dict[str, SegmentSpec]] = {
    version: {tag: _seg(tag, text) for tag, text in (_COMMON | extra).items()}
    for version, extra in _BY_VERSION.items()
}


def spec_for(version: str, tag: str) -> SegmentSpec | None:
    """The spec of ``tag`` in GS08 ``version`` (first six characters), if described."""
    return SPECS.get(version[:6], {}).get(tag)


def _length(value: str, kind: str) -> int:
    return sum(c.isdigit() for c in value) if kind in ("R", "N0") else len(value)


def _valid_time(value: str) -> bool:
    if not value.isdigit() or len(value) not in (4, 6, 7, 8):
        return False
    hh, mm, ss = int(value[:2]), int(value[2:4]), int(value[4:6] or 0)
    return hh < 24 and mm < 60 and ss < 60


def _valid_date(value: str) -> bool:
    fmt = {8: "%Y%m%d", 6: "%y%m%d"}.get(len(value))
    if fmt is None or not value.isdigit():
        return False
    try:
        datetime.strptime(value, fmt)  # noqa: DTZ007 - a format check, no instant
    except ValueError:
        return False
    return True


def _problem(value: str, spec: ElementSpec, repetition: str | None) -> ElementError | None:
    if not value:
        return ElementError.MANDATORY_MISSING if spec.required else None
    if spec.kind == "C":
        return None
    if repetition and repetition in value:
        return ElementError.TOO_MANY_REPETITIONS  # none of these elements repeats
    if _CONTROL.search(value):
        return ElementError.INVALID_CHARACTER
    kind = spec.kind
    if (kind == "R" and not _R.fullmatch(value)) or (kind == "N0" and not _N0.fullmatch(value)):
        return ElementError.INVALID_CHARACTER
    length = _length(value, kind)
    if length < spec.min:
        return ElementError.TOO_SHORT
    if length > spec.max:
        return ElementError.TOO_LONG
    if kind == "DT" and not _valid_date(value):
        return ElementError.INVALID_DATE
    if kind == "TM" and not _valid_time(value):
        return ElementError.INVALID_TIME
    if spec.codes is not None and value not in spec.codes:
        return ElementError.INVALID_CODE
    return None


def check_elements(
    seg: RawSegment, pos: int, spec: SegmentSpec, repetition: str | None
) -> Iterator[X12Issue]:
    """Element issues of ``seg`` (at set position ``pos``) against ``spec``."""
    for n, element_spec in enumerate(spec.elements, start=1):
        value = seg.element(n)
        code = _problem(value, element_spec, repetition)
        if code is not None:
            yield _issue(seg, pos, n, code, value)
    # Trailing empty elements are separators, not data: count up to the last filled one.
    used = len(seg.elements)
    while used and not seg.elements[used - 1]:
        used -= 1
    if spec.closed and used > len(spec.elements):
        n = len(spec.elements) + 1
        yield _issue(seg, pos, n, ElementError.TOO_MANY_ELEMENTS, seg.element(n))


def _issue(seg: RawSegment, pos: int, n: int, code: ElementError, value: str) -> X12Issue:
    text = f"{seg.tag}{n:02d}: {code.name.lower().replace('_', ' ')} ({value!r})"
    return X12Issue(
        Level.ELEMENT,
        code.value,
        text,
        segment_tag=seg.tag,
        segment_index=seg.index,
        set_position=pos,
        element=n,
        line=seg.line,
        byte_offset=seg.byte_offset,
        bad_value=value or None,
    )
