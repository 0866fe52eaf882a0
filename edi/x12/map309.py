"""309 Customs Manifest -> :class:`~edi.x12.manifest.Manifest`.

Runs only on a set whose structure and elements passed (so element types are known good).
The element-by-element mapping is tabled in ``docs/x12-channel.md``. Content checks that
syntax cannot express become ``content`` issues with positions, answered with a 355:
ISO 6346 check digits, HS-based commodity codes, country codes, weight units, declared
bill counts (M1008, P403), duplicate bills. An IMO number with a wrong check digit is a
warning only (the vessel is identified by name as well).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from stdnum import imo

from edi.model.values import ISO_COUNTRIES, Quantity
from edi.x12.errors import ContentError, Level, Severity, X12Issue
from edi.x12.manifest import Manifest, PartyRole, valid_container
from edi.x12.rules309 import (
    HS_QUALIFIERS,
    MODES,
    ROLES,
    WEIGHT_UNITS,
    check_counts,
    parse_int,
    parse_time,
)
from edi.x12.tokenizer import RawSegment

__all__ = ["map_manifest"]

_Pos = tuple[RawSegment, int]


class _Mapper:
    """Builds the manifest's data segment by segment (one method per tag) and its issues."""

    def __init__(self, group: str | None, set_control: str | None) -> None:
        self.group, self.set_control = group, set_control
        self.issues: list[X12Issue] = []
        self.manifest: dict[str, Any] = {"port_calls": [], "bills": []}
        self.bill: dict[str, Any] | None = None
        self.port: str = ""
        self.container: str | None = None
        # Where each object began (for issue positions), kept beside the data the model reads.
        self.m10_at: _Pos | None = None
        self.call_at: list[_Pos] = []
        self.bill_at: list[_Pos] = []

    def issue(
        self,
        code: ContentError,
        text: str,
        at: _Pos,
        element: int | None = None,
        bad: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        seg, pos = at
        self.issues.append(
            X12Issue(
                Level.CONTENT,
                code.value,
                text,
                severity,
                segment_tag=seg.tag,
                segment_index=seg.index,
                set_position=pos,
                element=element,
                line=seg.line,
                byte_offset=seg.byte_offset,
                group_control=self.group,
                set_control=self.set_control,
                bad_value=bad,
            )
        )

    def m10(self, at: _Pos) -> None:
        s = at[0]
        mode = MODES.get(s.element(2))
        if mode is None:
            self.issue(ContentError.INVALID_VALUE, "M1002: no transport mode", at, 2, s.element(2))
        country = self.country(s.element(3), at, 3)
        ident, qual = s.element(4) or None, s.element(10) or None
        if ident and qual == "L" and ident.isdigit() and not imo.is_valid(ident):
            self.issue(
                ContentError.IMO_CHECK_DIGIT,
                f"M1004 IMO {ident} check digit is wrong",
                at,
                4,
                ident,
                Severity.WARNING,
            )
        self.m10_at = at
        self.manifest |= {
            "carrier_scac": s.element(1),
            "voyage": s.element(6),
            "reference": s.element(7) or None,
            "declared_bills": parse_int(s.element(8)),
            "manifest_type": s.element(9) or None,
            "conveyance": {
                "name": s.element(5) or None,
                "identifier": ident,
                "identifier_qualifier": qual,
                "nationality": country,
                "mode": mode or "0",
                "transport_method": s.element(2),
            },
        }

    def country(self, value: str, at: _Pos, element: int) -> str | None:
        if not value:
            return None
        if value in ISO_COUNTRIES:
            return value
        self.issue(
            ContentError.INVALID_COUNTRY, f"{value!r} is not ISO 3166 alpha-2", at, element, value
        )
        return None

    def p4(self, at: _Pos) -> None:
        s = at[0]
        self.port = s.element(1)
        arrival = datetime.strptime(s.element(2), "%Y%m%d").date()  # noqa: DTZ007 - a date
        self.call_at.append(at)
        self.manifest["port_calls"].append(
            {
                "port": self.port,
                "arrival_date": arrival,
                "arrival_time": parse_time(s.element(5)),
                "declared_bills": parse_int(s.element(3)),
            }
        )

    def lx(self, at: _Pos) -> None:
        self.bill = {
            "line": int(at[0].element(1)),
            "port_of_discharge": self.port,
            "parties": [],
            "references": [],
            "containers": [],
            "goods": [],
        }
        self.manifest["bills"].append(self.bill)
        self.bill_at.append(at)
        self.container = None

    def m11(self, at: _Pos, bill: dict[str, Any]) -> None:
        s = at[0]
        scac, number = s.element(12), s.element(1)
        full = number if number.startswith(scac) else scac + number
        bill |= {
            "number": full,
            "issuer_scac": scac,
            "carrier_number": number,
            "port_of_loading": s.element(2),
            "place_of_receipt": s.element(10) or None,
            "house_bill": s.element(11) or None,
        }
        if s.element(3) and s.element(4):
            bill["quantity"] = self.quantity(s.element(3), s.element(4), at, 3)
        if s.element(5):  # a weight with an unknown unit is reported as such, not as missing
            bill["gross_weight"] = self.weight(s.element(5), s.element(6), at, 6)

    def weight(self, value: str, unit: str, at: _Pos, element: int) -> Quantity | None:
        if not value:
            return None
        if unit not in WEIGHT_UNITS:
            self.issue(
                ContentError.UNKNOWN_UNIT,
                f"weight unit {unit!r} has no UN/ECE code",
                at,
                element,
                unit,
            )
            return None
        return self.quantity(value, WEIGHT_UNITS[unit], at, element - 1)

    def quantity(self, value: str, unit: str, at: _Pos, element: int) -> Quantity | None:
        """A quantity, or a content issue when it is negative or its unit is no code."""
        try:
            return Quantity(value=Decimal(value), unit=unit)
        except ValidationError:
            text = f"{value} {unit} is not a quantity (negative, or a unit with odd characters)"
            self.issue(ContentError.INVALID_VALUE, text, at, element, value)
            return None

    def party(self, at: _Pos, bill: dict[str, Any]) -> None:
        s = at[0]
        bill["parties"].append(
            {
                "role": ROLES.get(s.element(1), PartyRole.OTHER),
                "entity_code": s.element(1),
                "name": s.element(2),
                "identifier_qualifier": s.element(3) or None,
                "identifier": s.element(4) or None,
                "address": [],
            }
        )

    def vid(self, at: _Pos, bill: dict[str, Any]) -> None:
        s = at[0]
        number = s.element(2) + s.element(3)
        self.container = None
        if not valid_container(number):
            self.issue(
                ContentError.INVALID_CONTAINER,
                f"container {number!r} fails ISO 6346",
                at,
                3,
                s.element(3),
            )
            return
        self.container = number
        seals = tuple(v for v in (s.element(4), s.element(5)) if v)
        bill["containers"].append({"number": number, "seals": seals})

    def n10(self, at: _Pos, bill: dict[str, Any]) -> None:
        s = at[0]
        qualifier, code = s.element(4) or None, s.element(5)
        hs = code.replace(".", "") if qualifier in HS_QUALIFIERS else ""
        if hs and not (hs.isdigit() and len(hs) in (6, 8, 10)):
            self.issue(
                ContentError.INVALID_COMMODITY_CODE, f"N1005 {code!r} is not HS-based", at, 5, code
            )
            hs = ""
        unit = s.element(10) or (bill["quantity"].unit if "quantity" in bill else "")
        bill["goods"].append(
            {
                "container": self.container,
                "description": s.element(2) or None,
                "marks": s.element(3) or None,
                "commodity_qualifier": qualifier,
                "commodity_code": hs or None,
                "weight": self.weight(s.element(8), s.element(7), at, 7),
                "quantity": self.quantity(s.element(1), unit, at, 1)
                if s.element(1) and unit
                else None,
            }
        )

    def feed(self, at: _Pos) -> None:
        tag, bill = at[0].tag, self.bill
        handler = {"M10": self.m10, "P4": self.p4, "LX": self.lx}.get(tag)
        if handler is not None:
            handler(at)
        elif bill is not None:
            self.feed_bill(at, bill)

    def feed_bill(self, at: _Pos, bill: dict[str, Any]) -> None:
        s = at[0]
        if s.tag == "M11":
            self.m11(at, bill)
        elif s.tag == "N9":
            bill["references"].append(
                {"qualifier": s.element(1), "value": s.element(2) or s.element(3)}
            )
        elif s.tag == "N1":
            self.party(at, bill)
        elif s.tag == "N3" and bill["parties"]:
            bill["parties"][-1]["address"] += [v for v in (s.element(1), s.element(2)) if v]
        elif s.tag == "N4" and bill["parties"]:
            bill["parties"][-1] |= {
                "city": s.element(1) or None,
                "postal_code": s.element(3) or None,
                "subdivision": s.element(2) or None,
                "country": self.country(s.element(4), at, 4),
            }
        elif s.tag == "VID":
            self.vid(at, bill)
        elif s.tag == "N10":
            self.n10(at, bill)


def map_manifest(
    body: Sequence[tuple[RawSegment, int]], group: str | None, set_control: str | None
) -> tuple[Manifest | None, list[X12Issue]]:
    """Map the segments of one 309 (with their set positions) to a manifest."""
    m = _Mapper(group, set_control)
    for at in body:
        m.feed(at)
    if m.manifest["bills"]:
        check_counts(m)
    if any(i.is_error for i in m.issues) or "carrier_scac" not in m.manifest:
        return None, m.issues
    try:
        return Manifest.model_validate(m.manifest), m.issues
    except ValidationError as exc:  # a rule of the model the checks above do not cover
        first = body[0] if body else None
        if first is not None:
            m.issue(
                ContentError.INVALID_VALUE, f"manifest rejected: {exc.errors()[0]['msg']}", first
            )
        return None, m.issues
