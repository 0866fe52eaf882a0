"""CUSRES writer: one customs response message (UNH..UNT) per declaration, D.96B or D.99B.

The message answers a CUSDEC in the same directory. Segments, in table order::

    UNH  BGM  DTM  GIS  SG3 RFF*  SG4 ERP-ERC-FTX*  SG6 DOC - SG10/11 CST - SG11/12 TAX-MOA*  UNT

Code choices (UN/EDIFACT code lists of the directory; a national MIG may fix others):

* BGM 1001 (UNCL 1001): 962 "Document response (Customs)" for a decision on the declaration;
  963 "Error response (Customs)" when it is rejected. BGM C106/1004 is our registered
  declaration number, or the sender's reference when nothing was registered.
  1225 message function: 9 "Original"; 1 "Cancellation" when the declaration is invalidated
  (the CUSRES announces that the declaration it names is cancelled).
* DTM 2005 137 "Document/message date/time", format 2379 203 (CCYYMMDDHHMM).
* GIS 7365 processing indicator: registered 1 "Message content accepted"; rejected 2
  "Message content rejected with comment" (3 "without comment" when no reason is given);
  released 4 "Goods released"; documents_required 6 "All documents or as specified to be
  produced"; under_control 5 "Goods required for examination". UNCL 7365 has no code for
  an invalidated declaration: BGM 1225 = 1 says it, and no GIS is written.
* RFF 1153: ABE "Declarant's reference number" (the sender's reference, their CUSDEC BGM
  number); AAE "Goods declaration number" (our registered number); ACW "Reference number
  to previous message" (UNH 0062 of the answered CUSDEC), each when known.
* ERP locates a reason: C701 1049 "2" (detail section) + 1052 item number when the reason
  names a customs item, else "1" (heading section) unless a segment is named; C853 9166
  segment tag + 1050 the line where that segment starts in the received file.
  ERC C901/9321 is our reason code (an..8); FTX 4451 AAO "Error description (free text)"
  carries the text in up to five 70-character lines.
* Duties: SG6 DOC (1001 of the answered declaration, e.g. 929 import / 830 export) holds one
  CST group per customs item (CST 1496 = item number) and one TAX group per duty line:
  TAX 5283 "1" "Individual duty, tax or fee (Customs item)", C241/5153 the tax type
  (e.g. CUD customs duty, VAT, EXC excise), C243/5278 the rate; MOA 5025 125 "Taxable
  amount" (the base) and 124 "Tax amount" (the assessed amount), with currency 6345.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from edi.edifact.segments import Delimiters
from edi.edifact.serializer import SegmentWriter

__all__ = ["CusresContent", "CusresStatus", "DutyLine", "Reason", "duty_lines", "render_cusres"]

SUPPORTED_RELEASES = ("96B", "99B")
_TEXT_LINE = 70  # C108/4440 an..70, at most five lines
_TEXT_LINES = 5


class CusresStatus(StrEnum):
    """What customs decided about the declaration."""

    REGISTERED = "registered"
    REJECTED = "rejected"
    RELEASED = "released"
    DOCUMENTS_REQUIRED = "documents_required"
    UNDER_CONTROL = "under_control"
    INVALIDATED = "invalidated"


_GIS: dict[CusresStatus, str | None] = {
    CusresStatus.REGISTERED: "1",
    CusresStatus.REJECTED: "2",
    CusresStatus.RELEASED: "4",
    CusresStatus.DOCUMENTS_REQUIRED: "6",
    CusresStatus.UNDER_CONTROL: "5",
    CusresStatus.INVALIDATED: None,
}


@dataclass(frozen=True, slots=True)
class Reason:
    """An error or a reason for the decision, optionally located in the received CUSDEC."""

    code: str  # ERC 9321, an..8
    text: str
    segment_tag: str | None = None
    line: int | None = None
    column: int | None = None  # kept for the caller's logs; ERP has no place for it
    item: int | None = None  # customs item (CST 1496) the reason is about


class DutyLine(NamedTuple):
    """One assessed duty or tax of one customs item (the assessment step fills these).

    A named tuple: an answer is made of ten or twenty, and a frozen dataclass cost three
    times as much to build."""

    item_sequence: int
    tax_type: str  # 5153, e.g. "CUD", "VAT", "EXC"
    rate: Decimal | None
    base_amount: Decimal | None
    amount: Decimal
    currency: str  # ISO 4217


@dataclass(frozen=True, slots=True)
class CusresContent:
    """Everything one CUSRES says; ``release`` is the directory of the answered CUSDEC."""

    message_reference: str
    release: str  # "96B" or "99B" (version is "D")
    declaration_number: str | None
    sender_reference: str
    status: CusresStatus
    prepared: datetime
    reasons: tuple[Reason, ...] = ()
    duties: tuple[DutyLine, ...] = ()
    request_message_reference: str | None = None  # UNH 0062 of the answered CUSDEC
    declaration_document_code: str = "929"  # BGM 1001 of the answered CUSDEC
    version: str = "D"


def render_cusres(
    content: CusresContent, *, delimiters: Delimiters, line_breaks: bool = False
) -> str:
    """The CUSRES message text, UNH to UNT (the interchange envelope is added by the caller).

    Raises ValueError for an unsupported directory or a reason code longer than ERC allows.
    Each segment is written as text at once (:class:`SegmentWriter`): building element tuples
    and serializing them afterwards cost more than the rest of the answer.
    """
    if content.version != "D" or content.release not in SUPPORTED_RELEASES:
        raise ValueError(f"CUSRES {content.version}{content.release} is not supported")
    w = SegmentWriter.of(delimiters, line_breaks)
    # The segments that repeat from answer to answer are written once per writer (by text:
    # ``remembered``); the rest as they come.
    reference, version, release = content.message_reference, content.version, content.release
    stamp = _stamp(content.prepared)
    body = [
        w.remembered(
            ("UNH", reference, version, release),
            "UNH",
            reference,
            ("CUSRES", version, release, "UN"),
        ),
        _bgm(w, content),
        w.remembered(("DTM", stamp), "DTM", ("137", stamp, "203")),
    ]
    gis = _GIS[content.status]
    if content.status is CusresStatus.REJECTED and not content.reasons:
        gis = "3"  # rejected without comment
    if gis is not None:
        body.append(w.remembered(("GIS", gis), "GIS", gis))
    body.extend(_references(w, content))
    for reason in content.reasons:
        body.extend(_reason(w, reason))
    body.extend(_duties(w, content))
    count = len(body) + 1
    body.append(w.remembered(("UNT", count, reference), "UNT", count, reference))
    return "".join(body)


#: Stamps written, by instant and time zone (equal instants in two zones are written
#: differently; in one zone, equal is the same wall time).
_STAMPS: dict[tuple[datetime, tzinfo | None], str] = {}


def _stamp(prepared: datetime) -> str:
    """DTM 2380 in format 203 (every answer of an interchange shares its instant)."""
    key = (prepared, prepared.tzinfo)
    text = _STAMPS.get(key)
    if text is None:
        if len(_STAMPS) >= 64:
            _STAMPS.clear()
        text = _STAMPS[key] = prepared.strftime("%Y%m%d%H%M")
    return text


def _bgm(w: SegmentWriter, content: CusresContent) -> str:
    rejected = content.status is CusresStatus.REJECTED
    number = content.declaration_number or content.sender_reference
    function = "1" if content.status is CusresStatus.INVALIDATED else "9"
    return w("BGM", "963" if rejected else "962", number, function)


def _references(w: SegmentWriter, content: CusresContent) -> list[str]:
    pairs = (
        ("ABE", content.sender_reference),
        ("AAE", content.declaration_number),
        ("ACW", content.request_message_reference),
    )
    return [w("RFF", (qualifier, value)) for qualifier, value in pairs if value]


def _reason(w: SegmentWriter, reason: Reason) -> list[str]:
    if not reason.code or len(reason.code) > 8:
        raise ValueError(f"reason code {reason.code!r} does not fit ERC 9321 (an..8)")
    if reason.item is not None:
        section: tuple[str | int, ...] = ("2", reason.item)
    else:
        section = () if reason.segment_tag else ("1",)
    point = (reason.segment_tag, reason.line) if reason.segment_tag else ()
    segments = [w("ERP", section, point), w("ERC", reason.code)]
    lines = _text_lines(reason.text)
    if lines:
        segments.append(w("FTX", "AAO", None, None, lines))
    return segments


def _text_lines(text: str) -> tuple[str, ...]:
    """Cut free text into at most five 70-character lines (longer text is shortened)."""
    flat = " ".join(text.split())
    found: list[str] = []
    while flat:
        # Break after a space where one is near, keeping the space on the line, so that
        # joining the components (as receivers do) gives the text back word for word.
        cut = _TEXT_LINE if len(flat) <= _TEXT_LINE else flat.rfind(" ", 0, _TEXT_LINE) + 1
        cut = cut if cut > _TEXT_LINE // 2 else _TEXT_LINE
        found.append(flat[:cut])
        flat = flat[cut:]
    lines = tuple(found)
    if len(lines) > _TEXT_LINES:
        lines = (*lines[: _TEXT_LINES - 1], lines[_TEXT_LINES - 1][: _TEXT_LINE - 3] + "...")
    return lines


def _duties(w: SegmentWriter, content: CusresContent) -> list[str]:
    if not content.duties:
        return []
    number = content.declaration_number or content.sender_reference
    segments = [w("DOC", content.declaration_document_code, number)]
    by_item: dict[int, list[DutyLine]] = {}
    for line in content.duties:
        by_item.setdefault(line.item_sequence, []).append(line)
    amount, remembered = w.amount, w.remembered
    # Every answer repeats the same CST and the same few TAX segments. A TAX is keyed by its
    # rate's text: 0.13 and 0.130 are equal Decimals but are written differently.
    for item in sorted(by_item):
        segments.append(remembered(("CST", item), "CST", item))
        for line in by_item[item]:
            rate = line.rate
            segments.append(
                remembered(
                    ("TAX", line.tax_type, None if rate is None else str(rate)),
                    "TAX",
                    "1",
                    line.tax_type,
                    None,
                    None,
                    (None, None, None, rate),  # C243: 5279, 1131, 3055, 5278 rate
                )
            )
            if line.base_amount is not None:
                segments.append(amount("MOA", "125", line.base_amount, line.currency))
            segments.append(amount("MOA", "124", line.amount, line.currency))
    return segments


def duty_lines(
    rows: Sequence[tuple[int, str, Decimal | None, Decimal | None, Decimal, str]],
) -> tuple[DutyLine, ...]:
    """Duty lines from ``(item, tax type, rate, base, amount, currency)`` tuples."""
    return tuple(DutyLine(*row) for row in rows)
