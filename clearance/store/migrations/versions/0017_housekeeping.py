"""Scheduled housekeeping: notices made once, raw-message archives and their members.

Revision ID: 0017
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/housekeeping_tables.py``. The housekeeping area keeps
its own branch, ``housekeeping``, from the initial schema (it needs only ``inbound_messages``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0001"
branch_labels = ("housekeeping",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the notice and archive tables."""
    op.create_table(
        "housekeeping_notices",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("kind", "key"),
    )
    op.create_table(
        "raw_archives",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("path", sa.String(255), nullable=False, unique=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("bytes", BigId, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "raw_archive_members",
        sa.Column(
            "message_id",
            BigId,
            sa.ForeignKey("inbound_messages.id"),
            primary_key=True,
        ),
        sa.Column("archive_id", BigId, sa.ForeignKey("raw_archives.id"), nullable=False),
        sa.Column("member", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", BigId, nullable=False),
    )
    op.create_index("ix_raw_archive_members_archive_id", "raw_archive_members", ["archive_id"])


def downgrade() -> None:
    """Drop the tables (archived bytes stay in their zip files; put them back first)."""
    op.drop_index("ix_raw_archive_members_archive_id", "raw_archive_members")
    op.drop_table("raw_archive_members")
    op.drop_table("raw_archives")
    op.drop_table("housekeeping_notices")
