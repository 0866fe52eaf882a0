"""FX monitoring: bank feeds and transactions, the goods side, classes, the goods feed batches;
versions of transmitted rebate records (corrections and cancellations).

Revision ID: 0012
Revises: 0001 (and needs 0006, whose rebate tables it refers to)
Create Date: 2026-12-05

Written by hand to match ``clearance/store/fx_tables.py``. Issue 14's FX monitoring and data
exchanges keep their own branch, ``fx``, from the initial schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0001"
branch_labels = ("fx",)
depends_on = "0006"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the FX and rebate-correction tables."""
    op.create_table(
        "fx_bank_feeds",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("created", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("received_at", Stamp, nullable=False),
    )
    op.create_index("ix_fx_bank_feeds_sha256", "fx_bank_feeds", ["sha256"])
    op.create_table(
        "fx_transactions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("feed_id", BigId, sa.ForeignKey("fx_bank_feeds.id"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(12), nullable=False),
        sa.Column("reference", sa.String(35), nullable=False),
        sa.Column("trader", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Numeric(20, 2), nullable=False),
        sa.Column("amount_usd", sa.Numeric(20, 2), nullable=False),
        sa.UniqueConstraint("bank", "reference"),
    )
    op.create_index("ix_fx_transactions_trader_date", "fx_transactions", ["trader", "value_date"])
    op.create_table(
        "fx_feed_batches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("originals", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("cancellations", sa.Integer(), nullable=False),
        sa.Column("cny_total", sa.Numeric(22, 2), nullable=False),
        sa.Column("usd_total", sa.Numeric(22, 2), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    _goods()
    _classes()
    _rebate_corrections()


def _goods() -> None:
    op.create_table(
        "fx_goods",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("supersedes_id", BigId, sa.ForeignKey("fx_goods.id"), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("trader", sa.String(35), nullable=False),
        sa.Column("flow", sa.String(6), nullable=False),
        sa.Column("office", sa.String(8), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("value_cny", sa.Numeric(20, 2), nullable=False),
        sa.Column("value_usd", sa.Numeric(20, 2), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("feed_batch_id", BigId, sa.ForeignKey("fx_feed_batches.id"), nullable=True),
        sa.UniqueConstraint("declaration_id", "version", "kind"),
    )
    op.create_index("ix_fx_goods_declaration_id", "fx_goods", ["declaration_id"])
    op.create_index("ix_fx_goods_trader_date", "fx_goods", ["trader", "declared_on"])


def _classes() -> None:
    op.create_table(
        "fx_classes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("trader", sa.String(35), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("objection_deadline", sa.Date(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("classified_at", Stamp, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
    )
    op.create_index("ix_fx_classes_trader", "fx_classes", ["trader"])


def _rebate_corrections() -> None:
    op.create_table(
        "rebate_corrections",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("record_id", BigId, sa.ForeignKey("rebate_records.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("supersedes_id", BigId, sa.ForeignKey("rebate_corrections.id"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rebate_rate", sa.Numeric(8, 4), nullable=False),
        sa.Column("fob_cny", sa.Numeric(20, 2), nullable=False),
        sa.Column("base", sa.Numeric(20, 2), nullable=False),
        sa.Column("estimated_amount", sa.Numeric(20, 2), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("batch_id", BigId, sa.ForeignKey("rebate_batches.id"), nullable=True),
        sa.Column("reason_code", sa.String(16), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", Stamp, nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("record_id", "version"),
    )
    op.create_index("ix_rebate_corrections_record_id", "rebate_corrections", ["record_id"])
    op.create_index("ix_rebate_corrections_status", "rebate_corrections", ["status"])


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    for table in (
        "rebate_corrections",
        "fx_classes",
        "fx_goods",
        "fx_feed_batches",
        "fx_transactions",
        "fx_bank_feeds",
    ):
        op.drop_table(table)
