"""Serialize outbound interchanges: ISA/GS/ST ... SE/GE/IEA with counts and control numbers.

Control numbers come from the caller (the pipeline owns their sequences and stores what it
sent). X12 has no release character, so a value that contains a separator cannot be sent:
free text is cleaned (separators become spaces, see :func:`clean_text`), codes and numbers
are refused with :class:`~edi.x12.errors.X12WriteError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from edi.x12.errors import X12WriteError
from edi.x12.isa import ISA_LENGTH, Delimiters

__all__ = [
    "DEFAULT_DELIMITERS",
    "FUNCTIONAL_IDS",
    "Envelope",
    "Segment",
    "build_interchange",
    "build_ta1_interchange",
    "clean_text",
]

Segment = Sequence[str]  # tag first, then the elements; trailing empty elements are dropped
#: GS01 functional identifier per (set, version): 004010 files these sets under SO
#: (ocean shipment information); 005010 gives the customs sets their own groups.
FUNCTIONAL_IDS = {
    ("309", "004010"): "SO",
    ("309", "005010"): "AQ",
    ("350", "004010"): "SO",
    ("350", "005010"): "AU",
    ("355", "004010"): "SO",
    ("355", "005010"): "AZ",
    ("997", "004010"): "FA",
    ("997", "005010"): "FA",
    ("999", "005010"): "FA",
}


#: Separators written by default (``^`` is the 005010 repetition separator).
DEFAULT_DELIMITERS = Delimiters("*", ">", "~", "^")


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, when, under which control numbers (all chosen by the caller)."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    interchange_control: int
    group_control: int
    set_control: int  # the first ST02; further sets of the same group count on from it
    timestamp: datetime
    version: Literal["004010", "005010"] = "004010"
    usage: Literal["P", "T"] = "P"
    ack_requested: bool = False
    delimiters: Delimiters = DEFAULT_DELIMITERS
    line_break: str = "\n"  # written after each terminator for readability; not data

    @property
    def isa_version(self) -> str:
        """ISA12 for this envelope's version."""
        return "00401" if self.version == "004010" else "00501"


def clean_text(value: str, d: Delimiters) -> str:
    """Free text with the separators (and line breaks) replaced by spaces."""
    for ch in {d.element, d.component, d.segment, d.repetition or d.element, "\r", "\n"}:
        value = value.replace(ch, " ")
    return value.strip()


def _render(segment: Segment, d: Delimiters) -> str:
    parts = list(segment)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    for value in parts:
        if any(ch in value for ch in (d.element, d.segment)):
            raise X12WriteError(f"{parts[0]}: {value!r} contains a separator")
    return d.element.join(parts) + d.segment


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise X12WriteError(f"{name} {value!r} is longer than {width}")
    return value.ljust(width)


def _isa(e: Envelope) -> str:
    d = e.delimiters
    ts = e.timestamp
    rep = d.repetition if e.version == "005010" and d.repetition else "U"
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        _fixed(e.sender_qualifier, 2, "ISA05"),
        _fixed(e.sender_id, 15, "ISA06"),
        _fixed(e.receiver_qualifier, 2, "ISA07"),
        _fixed(e.receiver_id, 15, "ISA08"),
        ts.strftime("%y%m%d"),
        ts.strftime("%H%M"),
        rep,
        e.isa_version,
        f"{e.interchange_control:09d}",
        "1" if e.ack_requested else "0",
        e.usage,
        d.component,
    ]
    if not 0 < e.interchange_control <= 999_999_999:
        raise X12WriteError(f"ISA13 {e.interchange_control} is not 1..999999999")
    text = d.element.join(fields) + d.segment
    if len(text.encode("utf-8")) != ISA_LENGTH:  # fixed width in bytes, whatever the separators
        raise X12WriteError(f"the ISA would be {len(text.encode('utf-8'))} bytes, not 106")
    return text


def build_interchange(
    e: Envelope,
    set_id: str,
    bodies: Sequence[Sequence[Segment]],
    *,
    gs08: str | None = None,
    st03: str | None = None,
) -> bytes:
    """One interchange, one group of ``len(bodies)`` sets of ``set_id``; UTF-8 bytes."""
    d, br = e.delimiters, e.line_break
    fid = FUNCTIONAL_IDS.get((set_id, e.version))
    if fid is None:
        raise X12WriteError(f"transaction set {set_id} is not written in {e.version}")
    ts = e.timestamp
    out = [_isa(e) + br]
    gs = (
        "GS",
        fid,
        e.sender_id,
        e.receiver_id,
        ts.strftime("%Y%m%d"),
        ts.strftime("%H%M"),
        str(e.group_control),
        "X",
        gs08 or e.version,
    )
    out.append(_render(gs, d) + br)
    for n, body in enumerate(bodies):
        control = f"{e.set_control + n:04d}"
        segments: list[Segment] = [("ST", set_id, control, st03 or ""), *body]
        segments.append(("SE", str(len(segments) + 1), control))
        out.extend(_render(s, d) + br for s in segments)
    out.append(_render(("GE", str(len(bodies)), str(e.group_control)), d) + br)
    out.append(_render(("IEA", "1", f"{e.interchange_control:09d}"), d) + br)
    return "".join(out).encode()


def build_ta1_interchange(e: Envelope, ta1: Segment) -> bytes:
    """An interchange carrying only a TA1 (no functional group): IEA01 is 0."""
    d, br = e.delimiters, e.line_break
    parts = [_isa(e) + br, _render(ta1, d) + br]
    parts.append(_render(("IEA", "0", f"{e.interchange_control:09d}"), d) + br)
    return "".join(parts).encode()
