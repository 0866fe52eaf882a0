"""Customs manifests (X12 309) and their reconciliation with declarations (舱单核销).

A stored manifest keeps its canonical JSON (``edi.x12.Manifest``) beside the columns the
reconciliation queries: a declaration's transport document is looked up by bill number
(or the carrier's own number) and voyage in ``manifest_bills``. A declaration whose bill has
not arrived yet waits in ``manifest_waits`` until a 309 names it; every match (on
registration or when the manifest arrives later) is kept in ``manifest_matches`` with the
findings it produced, so the decision can be taken again and explained.
Migration: ``clearance/store/migrations/versions/0002_manifests.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class Manifest(Base):
    """One accepted 309 transaction set: a conveyance's voyage and its bills of lading."""

    __tablename__ = "manifests"
    __table_args__ = (Index("ix_manifests_voyage", "voyage"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    set_control: Mapped[str] = mapped_column(String(9))  # ST02 of the 309
    sender: Mapped[str] = mapped_column(String(35))  # the dedupe sender (--sender or ISA06)
    # Who the 309's interchange came from (ISA05/ISA06) and in which version, so that a
    # later 350 goes back to the same party in the same version.
    interchange_qualifier: Mapped[str] = mapped_column(String(2))
    interchange_sender: Mapped[str] = mapped_column(String(15))
    interchange_version: Mapped[str] = mapped_column(String(5))
    carrier: Mapped[str] = mapped_column(String(4))  # M1001 SCAC
    conveyance_name: Mapped[str | None] = mapped_column(String(70))
    conveyance_id: Mapped[str | None] = mapped_column(String(35))
    voyage: Mapped[str] = mapped_column(String(30))
    mode: Mapped[str] = mapped_column(String(1))  # UN/ECE Rec. 19
    port_of_discharge: Mapped[str] = mapped_column(String(30))  # the first P4
    ports: Mapped[str] = mapped_column(String(255))  # every P4 port, space-separated
    arrival_date: Mapped[date] = mapped_column(Date)
    canonical: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ManifestBill(Base):
    """One bill of lading of a stored manifest, in columns for the reconciliation."""

    __tablename__ = "manifest_bills"
    __table_args__ = (
        Index("ix_manifest_bills_number_voyage", "bill_number", "voyage"),
        Index("ix_manifest_bills_carrier_number", "carrier_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    bill_number: Mapped[str] = mapped_column(String(35))  # issuer SCAC + M1101: 提运单号
    carrier_number: Mapped[str] = mapped_column(String(25))  # M1101 as sent
    voyage: Mapped[str] = mapped_column(String(30))  # the manifest's, repeated for the index
    port_of_loading: Mapped[str] = mapped_column(String(30))
    port_of_discharge: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    quantity_unit: Mapped[str] = mapped_column(String(8))
    gross_weight: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    weight_unit: Mapped[str] = mapped_column(String(8))
    containers: Mapped[str] = mapped_column(Text)  # ISO 6346 numbers, space-separated
    consignee_name: Mapped[str | None] = mapped_column(String(60))


class ManifestWait(Base):
    """A declaration whose transport document is not yet on any stored manifest."""

    __tablename__ = "manifest_waits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), unique=True)
    declaration_number: Mapped[str] = mapped_column(String(18))
    transport_document: Mapped[str] = mapped_column(String(70), index=True)
    voyage: Mapped[str | None] = mapped_column(String(35))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ManifestMatch(Base):
    """A declaration found on a manifest bill, with the findings of the comparison."""

    __tablename__ = "manifest_matches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"))
    bill_id: Mapped[int] = mapped_column(ForeignKey("manifest_bills.id"))
    bill_number: Mapped[str] = mapped_column(String(35))
    findings: Mapped[str] = mapped_column(Text)  # JSON list of Finding.as_json()
    matched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
