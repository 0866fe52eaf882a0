"""TA1, 997 and 999 acknowledgements of an :class:`~edi.x12.results.X12ReadResult`.

pyx12 builds these only from its HIPAA maps (and its 999 was seen truncated), so they are
written here. One 997/999 transaction set per received functional group:

* 997 (004010 or 005010, as received): ``AK1`` GS01, GS06 - per set ``AK2`` ST01, ST02,
  ``AK3`` tag, position (ST = 1), -, code; ``AK4`` element[:component], -, code, bad value;
  ``AK5`` status, codes - ``AK9`` status, GE01, received, accepted, codes.
* 999 (005010): the same with ``AK1``/``AK2`` carrying GS08/ST03, ``IK3``/``IK4``/``IK5``.
* TA1: ISA13, ISA09, ISA10, A/E/R, note code, in an interchange of its own (IEA01 = 0).

Answers go back with sender and receiver swapped and the sender's separators; control
numbers and the timestamp are the caller's (:class:`AckControl`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from edi.x12.errors import GroupError, InterchangeNote, Level, SetError, X12Issue, X12WriteError
from edi.x12.isa import Delimiters, usable
from edi.x12.results import FunctionalGroup, InterchangeInfo, TransactionSet, X12ReadResult
from edi.x12.writer import (
    DEFAULT_DELIMITERS,
    Envelope,
    Segment,
    build_interchange,
    build_ta1_interchange,
    clean_text,
)

__all__ = ["AckControl", "render_997", "render_999", "render_ta1", "reply_envelope"]

_MAX_CODES = 5  # AK502-AK506, AK905-AK909


@dataclass(frozen=True, slots=True)
class AckControl:
    """Control numbers and time of an outbound acknowledgement (chosen by the caller)."""

    interchange_control: int
    group_control: int
    set_control: int
    timestamp: datetime


#: What an answer falls back to, in order, for a separator it cannot reuse.
_SPARE = ("*", ">", "~", "^", "|", "!", "`", "{", "}")


def _delimiters(ic: InterchangeInfo) -> Delimiters:
    """The sender's separators where they are usable single bytes, else ours.

    The ISA is fixed-width in *bytes*: a receiver such as pyx12 cuts it at byte offsets, so
    a separator that takes two or three bytes in UTF-8 (``§``, ``…``) makes our ISA 107 or
    108 bytes long and unreadable. Such a separator is replaced by a single-byte one that
    none of the kept separators uses; the answer's ISA is always 106 bytes.
    """
    d = ic.delimiters if ic.delimiters is not None and usable(ic.delimiters) else None
    if d is None:
        return DEFAULT_DELIMITERS
    wanted = (d.element, d.component, d.segment, d.repetition)
    kept = {c for c in wanted if c is not None and _single_byte(c)}
    chosen: list[str] = []
    for char, default in zip(wanted, ("*", ">", "~", "^"), strict=True):
        if char is not None and _single_byte(char) and char not in chosen:
            chosen.append(char)
            continue
        taken = kept | set(chosen)
        chosen.append(next(c for c in (default, *_SPARE) if c not in taken))
    return Delimiters(*chosen)


def _isa_text(value: str, d: Delimiters) -> str:
    """An ISA field echoed: cleaned, and one byte per character (``?`` for any other)."""
    return "".join(c if _single_byte(c) else "?" for c in clean_text(value, d))


def _single_byte(char: str) -> bool:
    return len(char) == 1 and len(char.encode("utf-8")) == 1


def _digits(value: str, width: int) -> str:
    """``value`` if it is ``width`` digits (an ISA field echoed), else zeros."""
    return value if value.isdigit() and len(value) == width else "0" * width


def reply_envelope(result: X12ReadResult, c: AckControl, version: str) -> Envelope:
    """The envelope of an answer to ``result``: sender and receiver swapped, its separators."""
    ic = result.interchange
    if ic is None:
        raise X12WriteError("no readable ISA: the interchange cannot be answered")
    d = _delimiters(ic)
    return Envelope(
        _isa_text(ic.receiver_qualifier, d)[:2],
        _isa_text(ic.receiver_id, d)[:15],
        _isa_text(ic.sender_qualifier, d)[:2],
        _isa_text(ic.sender_id, d)[:15],
        c.interchange_control,
        c.group_control,
        c.set_control,
        c.timestamp,
        version="005010" if version == "005010" else "004010",
        usage="T" if ic.usage == "T" else "P",
        delimiters=d,
    )


def _codes(issues: list[X12Issue], allowed: set[str] | None = None) -> list[str]:
    codes: list[str] = []
    for i in issues:
        if i.is_error and i.code not in codes and (allowed is None or i.code in allowed):
            codes.append(i.code)
    return codes[:_MAX_CODES]


def _notes(s: TransactionSet, d: Delimiters, ik: bool) -> list[Segment]:
    """AK3/AK4 (or IK3/IK4) for the segment and element errors of ``s``."""
    by_segment: dict[tuple[int, str], list[X12Issue]] = defaultdict(list)
    for i in s.syntax_issues:
        if i.is_error and i.level is not Level.TRANSACTION and i.set_position is not None:
            by_segment[(i.set_position, i.segment_tag or "")].append(i)
    out: list[Segment] = []
    for (pos, tag), issues in sorted(by_segment.items()):
        seg_codes = [i.code for i in issues if i.level is Level.SEGMENT]
        code = seg_codes[0] if seg_codes else "8"  # 8: segment has data element errors
        out.append(("IK3" if ik else "AK3", clean_text(tag, d)[:3], str(pos), "", code))
        for i in (i for i in issues if i.level is Level.ELEMENT):
            where = str(i.element) + (f"{d.component}{i.component}" if i.component else "")
            bad = clean_text(i.bad_value or "", d)[:99]
            out.append(("IK4" if ik else "AK4", where, "", i.code, bad))
    return out


def _set_response(s: TransactionSet, d: Delimiters, ik: bool) -> list[Segment]:
    # Echoed values are cleaned: a character that was data to the sender may be our separator
    # (when we replaced a multi-byte one of theirs).
    head: Segment = ("AK2", clean_text(s.set_id, d), clean_text(s.control_number, d))
    if ik and s.implementation_reference:
        head = (*head, clean_text(s.implementation_reference, d))
    codes = _codes([i for i in s.issues if i.level is Level.TRANSACTION])
    notes = _notes(s, d, ik)
    if notes and SetError.SEGMENTS_IN_ERROR.value not in codes:
        codes = [*codes, SetError.SEGMENTS_IN_ERROR.value][:_MAX_CODES]
    trailer = ("IK5" if ik else "AK5", s.status.value, *codes)
    return [head, *notes, trailer]


def _group_response(g: FunctionalGroup, d: Delimiters, ik: bool) -> list[Segment]:
    echo = (g.functional_id, g.control_number, *((g.version,) if ik else ()))
    ak1: Segment = ("AK1", *(clean_text(v, d) for v in echo))
    body: list[Segment] = [ak1]
    for s in g.sets:
        body += _set_response(s, d, ik)
    allowed = {e.value for e in GroupError}
    if not g.version.startswith("005010"):
        allowed.discard(GroupError.NOT_UNIQUE.value)  # 004010 has no code for it: AK901 R only
    declared = g.declared_sets if g.declared_sets is not None else len(g.sets)
    counts = (str(declared), str(len(g.sets)), str(g.accepted_count))
    body.append(("AK9", g.status.value, *counts, *_codes(list(g.issues), allowed)))
    return body


def _render(result: X12ReadResult, c: AckControl, ik: bool) -> bytes:
    if not result.groups:
        raise X12WriteError("no functional group to acknowledge (answer with a TA1)")
    ic = result.interchange
    version = "005010" if ik or (ic is not None and ic.version == "00501") else "004010"
    env = reply_envelope(result, c, version)
    bodies = [_group_response(g, env.delimiters, ik) for g in result.groups]
    return build_interchange(env, "999" if ik else "997", bodies)


def render_997(result: X12ReadResult, control: AckControl) -> bytes:
    """The 997 Functional Acknowledgment of ``result`` (one set per received group)."""
    return _render(result, control, ik=False)


def render_999(result: X12ReadResult, control: AckControl) -> bytes:
    """The 999 Implementation Acknowledgment of ``result`` (005010)."""
    return _render(result, control, ik=True)


def render_ta1(result: X12ReadResult, control: AckControl) -> bytes:
    """The TA1 Interchange Acknowledgment: R with the first interchange error, else A 000."""
    ic = result.interchange
    if ic is None:
        raise X12WriteError("no readable ISA: the interchange cannot be answered")
    env = reply_envelope(result, control, "005010" if ic.version == "00501" else "004010")
    errors = [i for i in result.issues if i.level is Level.INTERCHANGE and i.is_error]
    note = errors[0].code if errors else InterchangeNote.NO_ERROR.value
    # ISA13/09/10 echoed when they were readable; an ISA cut at the wrong places gives zeros.
    ta1 = (
        "TA1",
        _digits(ic.control_number, 9),
        _digits(ic.date, 6),
        _digits(ic.time, 4),
        "R" if errors else "A",
        note,
    )
    return build_ta1_interchange(env, ta1)
