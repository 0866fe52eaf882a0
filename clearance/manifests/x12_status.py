"""X12 manifests at rest: storing a 309's manifest, and 350 status messages on its bills.

:func:`store_manifest` keeps the canonical manifest of an accepted 309 with its bills in
columns (``clearance/store/manifest_tables.py``). :func:`render_status_350` tells the
carrier that sent the manifest that a bill was released (``1C``) or held (``1H``) once the
declaration that covers it has been decided; the decision step calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clearance.flow.steps import FlowContext
from clearance.lifecycle.numbering import reserve_values
from clearance.manifests.reconciliation import find_bill, normalise
from clearance.store.manifest_tables import Manifest as ManifestRow
from clearance.store.manifest_tables import ManifestBill, ManifestMatch
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import OutboundMessage
from core.clock import as_utc
from core.settings import Settings, load_settings
from edi.model import Declaration
from edi.x12 import (
    CustomsStatus,
    Disposition,
    Envelope,
    InterchangeInfo,
    Manifest,
    PartyRole,
    TransactionSet,
    render_350,
)

COUNTER = "x12-out"  # the same sequence as the channel's other answers (ISA13)
_ALIASES = {
    "release": Disposition.RELEASED,
    "released": Disposition.RELEASED,
    "hold": Disposition.HOLD,
    "held": Disposition.HOLD,
    "hold_removed": Disposition.HOLD_REMOVED,
}


def store_manifest(
    ctx: FlowContext, interchange: InterchangeInfo, ts: TransactionSet, manifest: Manifest
) -> int:
    """Store one accepted 309's manifest and its bills; returns the manifest id."""
    session = ctx.session
    voyage = normalise(manifest.voyage)
    manifest_id = session.scalars(
        insert(ManifestRow).returning(ManifestRow.id),
        [
            {
                "inbound_message_id": ctx.inbound.id,
                "set_control": ts.control_number,
                "sender": ctx.inbound.sender,
                "interchange_qualifier": interchange.sender_qualifier,
                "interchange_sender": interchange.sender_id,
                "interchange_version": interchange.version,
                "carrier": manifest.carrier_scac,
                "conveyance_name": manifest.conveyance.name,
                "conveyance_id": manifest.conveyance.identifier,
                "voyage": voyage,
                "mode": manifest.conveyance.mode,
                "port_of_discharge": manifest.port_of_discharge,
                "ports": " ".join(p.port for p in manifest.port_calls)[:255],
                "arrival_date": manifest.arrival_date,
                "canonical": manifest.model_dump_json(),
                "received_at": ctx.now,
            }
        ],
    ).one()
    rows = []
    for bill in manifest.bills:
        consignee = bill.party(PartyRole.CONSIGNEE)
        rows.append(
            {
                "manifest_id": manifest_id,
                "bill_number": normalise(bill.number),
                "carrier_number": normalise(bill.carrier_number),
                "voyage": voyage,
                "port_of_loading": bill.port_of_loading,
                "port_of_discharge": bill.port_of_discharge,
                "quantity": bill.quantity.value,
                "quantity_unit": bill.quantity.unit,
                "gross_weight": bill.gross_weight.value,
                "weight_unit": bill.gross_weight.unit,
                "containers": " ".join(bill.container_numbers),
                "consignee_name": None if consignee is None else consignee.name,
            }
        )
    session.execute(insert(ManifestBill), rows)
    return manifest_id


def render_status_350(
    session: Session,
    declaration_number: str,
    disposition: Disposition | str,
    *,
    at: datetime | None = None,
    remarks: Sequence[str] = (),
    settings: Settings | None = None,
) -> str | None:
    """The 350 telling the manifest's carrier that the declaration's bill is released or held.

    ``disposition``: a :class:`~edi.x12.Disposition` or its code (``1C``, ``1H``, ``1I``), or
    ``release`` / ``hold``. The bill is the one the declaration was matched with, else the
    newest stored bill of its transport document (and voyage). ``at`` is the time of the
    decision (default: when the declaration row last changed). The 350 is recorded in
    ``outbound_messages``, addressed to the manifest's sender, and its text returned; None
    when the declaration or its bill is not (yet) known. Raises ``X12WriteError`` when X12
    cannot say it (a 004010 350 needs a container per bill).
    """
    row = session.scalars(
        select(DeclarationRow).where(DeclarationRow.number == declaration_number)
    ).one_or_none()
    found = None if row is None else _bill_of(session, row)
    if row is None or found is None:
        return None
    bill_row, manifest_row = found
    manifest = Manifest.model_validate_json(manifest_row.canonical)
    bill = next(b for b in manifest.bills if normalise(b.number) == bill_row.bill_number)
    settings = settings or load_settings()
    when = as_utc(at or row.updated_at)
    code = _ALIASES.get(str(disposition).lower()) or Disposition(str(disposition).upper())
    control = (reserve_values(session, COUNTER, 1)[0] - 1) % 999_999_999 + 1
    envelope = Envelope(
        "ZZ",
        settings.receiver_id[:15],
        manifest_row.interchange_qualifier,
        manifest_row.interchange_sender,
        control,
        control,
        1,
        when.astimezone(ZoneInfo(settings.timezone)),
        version="005010" if manifest_row.interchange_version == "00501" else "004010",
    )
    status = CustomsStatus(
        bill.number,
        code,
        envelope.timestamp,
        remarks=(f"DECLARATION {declaration_number}", *remarks),
    )
    text = render_350(manifest, [status], envelope).decode("utf-8")
    session.execute(
        insert(OutboundMessage).values(
            inbound_message_id=manifest_row.inbound_message_id,
            declaration_id=row.id,
            format="x12",
            message_type="350",
            recipient=manifest_row.sender,
            control_reference=f"{control:09d}",
            content=text,
            created_at=when,
        )
    )
    return text


def _bill_of(session: Session, row: DeclarationRow) -> tuple[ManifestBill, ManifestRow] | None:
    """The bill the declaration was matched with, else the newest one of its document."""
    match = session.scalars(
        select(ManifestMatch)
        .where(ManifestMatch.declaration_id == row.id)
        .order_by(ManifestMatch.id.desc())
        .limit(1)
    ).first()
    if match is not None:
        bill = session.get(ManifestBill, match.bill_id)
        manifest = session.get(ManifestRow, match.manifest_id)
        if bill is not None and manifest is not None:
            return bill, manifest
    transport = Declaration.model_validate_json(row.canonical).transport
    if transport is None or not transport.transport_document:
        return None
    return find_bill(session, transport.transport_document, transport.voyage)
