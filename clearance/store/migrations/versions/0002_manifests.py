"""Customs manifests, their bills, and the manifest reconciliation (舱单核销).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Written by hand to match ``clearance/store/manifest_tables.py`` (the X12 channel's area
keeps its own branch, ``manifests``, from the initial schema).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("manifests",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the manifest tables."""
    op.create_table(
        "manifests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "inbound_message_id", BigId, sa.ForeignKey("inbound_messages.id"), nullable=False
        ),
        sa.Column("set_control", sa.String(9), nullable=False),
        sa.Column("sender", sa.String(35), nullable=False),
        sa.Column("interchange_qualifier", sa.String(2), nullable=False),
        sa.Column("interchange_sender", sa.String(15), nullable=False),
        sa.Column("interchange_version", sa.String(5), nullable=False),
        sa.Column("carrier", sa.String(4), nullable=False),
        sa.Column("conveyance_name", sa.String(70), nullable=True),
        sa.Column("conveyance_id", sa.String(35), nullable=True),
        sa.Column("voyage", sa.String(30), nullable=False),
        sa.Column("mode", sa.String(1), nullable=False),
        sa.Column("port_of_discharge", sa.String(30), nullable=False),
        sa.Column("ports", sa.String(255), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_manifests_inbound_message_id", "manifests", ["inbound_message_id"])
    op.create_index("ix_manifests_voyage", "manifests", ["voyage"])
    op.create_table(
        "manifest_bills",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("manifest_id", BigId, sa.ForeignKey("manifests.id"), nullable=False),
        sa.Column("bill_number", sa.String(35), nullable=False),
        sa.Column("carrier_number", sa.String(25), nullable=False),
        sa.Column("voyage", sa.String(30), nullable=False),
        sa.Column("port_of_loading", sa.String(30), nullable=False),
        sa.Column("port_of_discharge", sa.String(30), nullable=False),
        sa.Column("quantity", sa.Numeric(18, 4), nullable=False),
        sa.Column("quantity_unit", sa.String(8), nullable=False),
        sa.Column("gross_weight", sa.Numeric(18, 4), nullable=False),
        sa.Column("weight_unit", sa.String(8), nullable=False),
        sa.Column("containers", sa.Text(), nullable=False),
        sa.Column("consignee_name", sa.String(60), nullable=True),
    )
    op.create_index("ix_manifest_bills_manifest_id", "manifest_bills", ["manifest_id"])
    op.create_index("ix_manifest_bills_number_voyage", "manifest_bills", ["bill_number", "voyage"])
    op.create_index("ix_manifest_bills_carrier_number", "manifest_bills", ["carrier_number"])
    op.create_table(
        "manifest_waits",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "declaration_id",
            BigId,
            sa.ForeignKey("declarations.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("transport_document", sa.String(70), nullable=False),
        sa.Column("voyage", sa.String(35), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_manifest_waits_transport_document", "manifest_waits", ["transport_document"]
    )
    op.create_table(
        "manifest_matches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("manifest_id", BigId, sa.ForeignKey("manifests.id"), nullable=False),
        sa.Column("bill_id", BigId, sa.ForeignKey("manifest_bills.id"), nullable=False),
        sa.Column("bill_number", sa.String(35), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_manifest_matches_declaration_id", "manifest_matches", ["declaration_id"])


def downgrade() -> None:
    """Drop the manifest tables."""
    op.drop_table("manifest_matches")
    op.drop_table("manifest_waits")
    op.drop_table("manifest_bills")
    op.drop_table("manifests")
