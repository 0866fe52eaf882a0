"""Trade statistics: facts per released item, revisions, publications, the columnar copy.

Revision ID: 0011
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/statistics_tables.py``. Statistics keep their own
branch, ``statistics``, from the initial schema: they read declarations and events only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = ("statistics",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
Money = sa.Numeric(20, 2)
Measure = sa.Numeric(20, 3)


def upgrade() -> None:
    """Create the statistics tables."""
    op.create_table(
        "stat_facts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(1), nullable=False),
        sa.Column("stat_date", sa.Date(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("hs", sa.String(10), nullable=False),
        sa.Column("partner", sa.String(2), nullable=False),
        sa.Column("consignment", sa.String(2), nullable=False),
        sa.Column("trade_mode", sa.String(4), nullable=False),
        sa.Column("office", sa.String(8), nullable=False),
        sa.Column("transport_mode", sa.String(1), nullable=False),
        sa.Column("trader", sa.String(35), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("value_cny", Money, nullable=False),
        sa.Column("value_usd", Money, nullable=True),
        sa.Column("quantity1", Measure, nullable=True),
        sa.Column("unit1", sa.String(8), nullable=True),
        sa.Column("quantity2", Measure, nullable=True),
        sa.Column("unit2", sa.String(8), nullable=True),
        sa.Column("net_mass", Measure, nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("source_event_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.UniqueConstraint("declaration_number", "item_sequence"),
    )
    op.create_index("ix_stat_facts_seq", "stat_facts", ["seq"])
    op.create_index("ix_stat_facts_trader", "stat_facts", ["trader"])
    op.create_table(
        "stat_revisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("fact_id", sa.BigInteger(), nullable=False),
        sa.Column("declaration_number", sa.String(18), nullable=False),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("value_cny_before", Money, nullable=False),
        sa.Column("value_cny_after", Money, nullable=False),
        sa.Column("recorded_at", Stamp, nullable=False),
    )
    op.create_index("ix_stat_revisions_fact_id", "stat_revisions", ["fact_id"])
    op.create_index("ix_stat_revisions_period", "stat_revisions", ["period"])
    op.create_table(
        "stat_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "stat_publications",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("published_at", Stamp, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
    )
    op.create_index("ix_stat_publications_period", "stat_publications", ["period"])
    op.create_table(
        "stat_snapshots",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )


def downgrade() -> None:
    """Drop the statistics tables."""
    for table in ("stat_snapshots", "stat_publications", "stat_state", "stat_revisions"):
        op.drop_table(table)
    op.drop_table("stat_facts")
