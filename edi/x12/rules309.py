"""What the 309 mapping translates and cross-checks, with where the codes come from.

Code lists:

* element 188 Weight Unit Code -> UN/ECE Recommendation 20 (``M`` measurement ton is a
  volume and has no weight code: it is refused);
* element 91 Transportation Method/Type Code -> UN/ECE Recommendation 19 mode digit;
* element 98 Entity Identifier Code (N101) -> :class:`~edi.x12.manifest.PartyRole`;
* element 23 Commodity Code Qualifier (N1004): the qualifiers whose N1005 is HS-based.

Cross-checks before the data becomes a :class:`~edi.x12.manifest.Manifest`: every bill
needs its M11 numbers (004010 makes them mandatory, 005010 does not); bill numbers are
unique within a manifest; M1008 (bills on the manifest) and each P403 (bills for that port)
must match what was sent - the manifest-level reconciliation a manifest control builds on.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any, Protocol

from edi.x12.errors import ContentError
from edi.x12.manifest import PartyRole
from edi.x12.tokenizer import RawSegment

__all__ = [
    "HS_QUALIFIERS",
    "MODES",
    "ROLES",
    "WEIGHT_UNITS",
    "Reporter",
    "check_counts",
    "parse_int",
    "parse_time",
]

#: Element 188 Weight Unit Code -> UN/ECE Rec. 20 (M, measurement ton, is a volume: none).
WEIGHT_UNITS = {"K": "KGM", "L": "LBR", "E": "TNE", "S": "STN", "T": "LTN", "O": "ONZ"}
#: Element 91 Transportation Method/Type Code -> UN/ECE Rec. 19 mode.
MODES = {
    **dict.fromkeys(("O", "Q", "S", "SS", "VE", "N"), "1"),
    "R": "2",
    **dict.fromkeys(("M", "J", "E", "LT", "T"), "3"),
    **dict.fromkeys(("A", "AC", "AE", "AF"), "4"),
    **dict.fromkeys(("D", "U"), "5"),
    **dict.fromkeys(("P", "PL"), "7"),
    **dict.fromkeys(("B", "W"), "8"),
}
ROLES = {"SH": PartyRole.SHIPPER, "CN": PartyRole.CONSIGNEE, "N1": PartyRole.NOTIFY}
#: N1004 qualifiers whose N1005 is HS-based: HTSUS, HS-based Schedule B, mutually defined
#: (in this channel's profile: the HS / national tariff line of the country of discharge).
HS_QUALIFIERS = frozenset("AJZ")


def parse_int(value: str) -> int | None:
    """An R/N0 element as an integer (``"3"``, ``"3.0"``), None when empty."""
    return int(Decimal(value)) if value else None


def parse_time(value: str) -> time | None:
    """A TM element (HHMM[SS...]) as a time, None when empty."""
    if not value:
        return None
    return time(int(value[:2]), int(value[2:4]), int(value[4:6] or 0))


class Reporter(Protocol):
    """The mapper: the mapped data, where each part began, and where issues go."""

    manifest: dict[str, Any]
    m10_at: tuple[RawSegment, int] | None
    call_at: list[tuple[RawSegment, int]]
    bill_at: list[tuple[RawSegment, int]]

    def issue(
        self, code: ContentError, text: str, at: tuple[RawSegment, int], element: int | None = ...
    ) -> None: ...


def check_counts(m: Reporter) -> None:
    """Report missing bill details, duplicate bills and declared counts that do not match."""
    bills: list[dict[str, Any]] = m.manifest["bills"]
    seen: set[str] = set()
    for bill, at in zip(bills, m.bill_at, strict=True):
        if not {"number", "quantity", "gross_weight"} <= bill.keys():
            m.issue(ContentError.MISSING_BILL_DETAILS, "bill without M11 pieces or weight", at)
        elif bill["number"] in seen:
            m.issue(ContentError.DUPLICATE_BILL, f"bill {bill['number']} repeated", at)
        seen.add(bill.get("number", ""))
    declared = m.manifest.get("declared_bills")
    if declared is not None and declared != len(bills) and m.m10_at is not None:
        text = f"M1008 declares {declared} bills, {len(bills)} sent"
        m.issue(ContentError.BILL_COUNT_MISMATCH, text, m.m10_at, 8)
    for call, at in zip(m.manifest["port_calls"], m.call_at, strict=True):
        count = sum(b["port_of_discharge"] == call["port"] for b in bills)
        if call["declared_bills"] is not None and call["declared_bills"] != count:
            text = f"P403 declares {call['declared_bills']} bills, {count} sent"
            m.issue(ContentError.BILL_COUNT_MISMATCH, text, at, 3)
