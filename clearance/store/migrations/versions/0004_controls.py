"""Controls: registry loads, ledgers, rulesets, decisions, export-rebate records and batches.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = ("controls",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def upgrade() -> None:
    """Create the controls tables."""
    op.create_table(
        "registry_loads",
        _id(),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("filenames", sa.Text(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("loaded_at", Stamp, nullable=False),
    )
    op.create_table(
        "ledger_heads",
        _id(),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(8), nullable=True),
        sa.Column("quantity", sa.Numeric(20, 4), nullable=True),
        sa.Column("tolerance", sa.Numeric(8, 4), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "ledger_entries",
        _id(),
        sa.Column("head_id", BigId, sa.ForeignKey("ledger_heads.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Numeric(20, 4), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_index("ix_ledger_entries_head_id", "ledger_entries", ["head_id"])
    op.create_index(
        "ix_ledger_entries_declaration_number", "ledger_entries", ["declaration_number"]
    )
    op.create_table(
        "rulesets",
        _id(),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False, unique=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("loaded_at", Stamp, nullable=False),
    )
    _decisions()
    _rebates()


def _decisions() -> None:
    op.create_table(
        "decisions",
        _id(),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(8), nullable=False),
        sa.Column("decision", sa.String(24), nullable=False),
        sa.Column("auto_release", sa.Boolean(), nullable=False),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("fired_rules", sa.Text(), nullable=False),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("seed", sa.String(128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("registry_load_id", BigId, sa.ForeignKey("registry_loads.id"), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", Stamp, nullable=False),
    )
    op.create_index("ix_decisions_declaration_id", "decisions", ["declaration_id"])


def _rebates() -> None:
    op.create_table(
        "rebate_batches",
        _id(),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.Numeric(20, 2), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "rebate_records",
        _id(),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("commodity_code", sa.String(10), nullable=False),
        sa.Column("export_date", sa.Date(), nullable=False),
        sa.Column("rebate_rate", sa.Numeric(8, 4), nullable=False),
        sa.Column("fob_cny", sa.Numeric(20, 2), nullable=False),
        sa.Column("base", sa.Numeric(20, 2), nullable=False),
        sa.Column("estimated_amount", sa.Numeric(20, 2), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("batch_id", BigId, sa.ForeignKey("rebate_batches.id"), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("declaration_id", "item_sequence"),
    )
    op.create_index("ix_rebate_records_export_date", "rebate_records", ["export_date"])
    op.create_index("ix_rebate_records_status", "rebate_records", ["status"])


def downgrade() -> None:
    """Drop the controls tables."""
    for table in (
        "rebate_records",
        "rebate_batches",
        "decisions",
        "rulesets",
        "ledger_entries",
        "ledger_heads",
        "registry_loads",
    ):
        op.drop_table(table)
