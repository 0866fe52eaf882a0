"""350 Customs Status Information: release or hold of bills of lading on a manifest.

Import layout (the P4 loop; the BA1 loop is for exports and not written):

* ``M10`` rebuilt from the manifest (SCAC, method, nationality, vessel code, name, voyage,
  reference, -, manifest type, vessel code qualifier);
* per port of discharge ``P4`` (port, arrival date, -, -, arrival time), then per bill
  ``X4``: X401 the carrier's bill number (M1101), X402 quantity released, X403/X404 entry
  type and number (both or neither), X405/X406 date and time of the disposition, X407 the
  disposition code, X409 the bill's issuer SCAC; ``K1`` remarks (up to 4); ``N7`` per
  container (N701 owner prefix, N702 serial with check digit). 004010 requires at least
  one N7 per X4, so a bill without containers cannot be reported in 004010.

Disposition codes (X407) are an external code list; this channel uses those of U.S. CBP's
ACE/AMS interface requirements (Appendix D/N "Disposition Codes"), see :class:`Disposition`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from edi.x12.errors import X12WriteError
from edi.x12.manifest import BillOfLading, Manifest
from edi.x12.writer import Envelope, Segment, build_interchange, clean_text

__all__ = ["CustomsStatus", "Disposition", "render_350"]

_MAX_K1 = 4


class Disposition(StrEnum):
    """X407 disposition codes used (CBP CAMIR / ACE Appendix D "Disposition Codes")."""

    RELEASED = "1C"  # entered and released: general examination
    HOLD = "1H"  # customs hold placed at port of discharge
    HOLD_REMOVED = "1I"  # customs hold removed at port of discharge


@dataclass(frozen=True, slots=True)
class CustomsStatus:
    """The status of one bill: what was decided, when, and what the carrier is told."""

    bill_number: str  # canonical number (issuer SCAC + carrier number)
    disposition: Disposition
    at: datetime
    quantity: Decimal | None = None  # X402; a release defaults to the bill's pieces
    entry_type: str | None = None  # X403, two characters
    entry_number: str | None = None  # X404
    remarks: tuple[str, ...] = ()


def _m10(m: Manifest) -> Segment:
    c = m.conveyance
    return (
        "M10",
        m.carrier_scac,
        c.transport_method,
        c.nationality or "",
        c.identifier or "",
        c.name or "",
        m.voyage,
        m.reference or "",
        "",
        m.manifest_type or "",
        c.identifier_qualifier or "",
    )


def _x4(bill: BillOfLading, s: CustomsStatus, e: Envelope) -> list[Segment]:
    if (s.entry_type is None) != (s.entry_number is None):
        raise X12WriteError("X403 and X404 (entry type and number) go together")
    qty = s.quantity
    if qty is None and s.disposition is Disposition.RELEASED:
        qty = bill.quantity.value
    x4 = (
        "X4",
        bill.carrier_number,
        "" if qty is None else f"{qty:f}",
        s.entry_type or "",
        s.entry_number or "",
        s.at.strftime("%Y%m%d"),
        s.at.strftime("%H%M"),
        s.disposition.value,
        "",
        bill.issuer_scac,
    )
    out: list[Segment] = [x4]
    out += [("K1", clean_text(r, e.delimiters)[:30]) for r in s.remarks[:_MAX_K1]]
    if not bill.containers and e.version == "004010":
        raise X12WriteError(f"{bill.number}: a 004010 350 needs an N7 (container) per X4")
    out += [("N7", c.number[:4], c.number[4:]) for c in bill.containers]
    return out


def render_350(manifest: Manifest, statuses: Sequence[CustomsStatus], envelope: Envelope) -> bytes:
    """A 350 telling the carrier the status of ``statuses``' bills on ``manifest``."""
    if not statuses:
        raise X12WriteError("a 350 needs at least one status")
    body: list[Segment] = [_m10(manifest)]
    for call in manifest.port_calls:
        here = [s for s in statuses if _bill(manifest, s).port_of_discharge == call.port]
        if not here:
            continue
        time = call.arrival_time.strftime("%H%M") if call.arrival_time else ""
        body.append(("P4", call.port, call.arrival_date.strftime("%Y%m%d"), "", "", time))
        for status in here:
            body += _x4(_bill(manifest, status), status, envelope)
    return build_interchange(envelope, "350", [body])


def _bill(manifest: Manifest, status: CustomsStatus) -> BillOfLading:
    bill = manifest.bill(status.bill_number)
    if bill is None:
        raise X12WriteError(f"bill {status.bill_number} is not on the manifest")
    return bill
