"""Statistics: confidentiality requests, published tables and their cells, snapshot parts.

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-05

Written by hand to match ``clearance/store/statistics_request_tables.py``; on the
``statistics`` branch after 0011.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the request and published-table tables."""
    op.create_table(
        "stat_confidentiality_requests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("party", sa.String(35), nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("filed_at", Stamp, nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", Stamp, nullable=True),
        sa.Column("review_note", sa.String(1000), nullable=True),
    )
    op.create_index(
        "ix_stat_conf_requests_party_status",
        "stat_confidentiality_requests",
        ["party", "status"],
    )
    op.create_table(
        "stat_published_tables",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("frame", sa.String(500), nullable=False),
        sa.Column("row_axis", sa.String(16), nullable=False),
        sa.Column("column_axis", sa.String(16), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("published_at", Stamp, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
    )
    op.create_index("ix_stat_published_tables_frame", "stat_published_tables", ["frame"])
    op.create_table(
        "stat_published_cells",
        sa.Column("table_id", sa.BigInteger(), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("row", sa.String(40), nullable=False),
        sa.Column("column", sa.String(40), nullable=False),
        sa.Column("value_cents", sa.Numeric(22, 0), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
    )
    # The columnar copy in parts: one blob of ten million facts passes PostgreSQL's 1 GB.
    op.add_column(
        "stat_snapshots", sa.Column("part", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("stat_snapshots") as batch:
        batch.drop_column("part")
    op.drop_table("stat_published_cells")
    op.drop_index("ix_stat_published_tables_frame", "stat_published_tables")
    op.drop_table("stat_published_tables")
    op.drop_index("ix_stat_conf_requests_party_status", "stat_confidentiality_requests")
    op.drop_table("stat_confidentiality_requests")
