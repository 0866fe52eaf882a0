"""Identity: subjects, their party ids and offices, API keys, mandates.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05

Written by hand to match ``clearance/store/identity_tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """The identity tables, empty: subjects are added by an admin (``customs subjects add``)."""
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "subject_parties",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("party_id", sa.String(70), nullable=False),
        sa.UniqueConstraint("subject_id", "party_id"),
    )
    op.create_index("ix_subject_parties_subject_id", "subject_parties", ["subject_id"])
    op.create_index("ix_subject_parties_party_id", "subject_parties", ["party_id"])
    op.create_table(
        "subject_offices",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("office", sa.String(8), nullable=False),
        sa.UniqueConstraint("subject_id", "office"),
    )
    op.create_index("ix_subject_offices_subject_id", "subject_offices", ["subject_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("subject_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=True),
        sa.Column("revoked_at", Stamp, nullable=True),
        sa.Column("last_used_at", Stamp, nullable=True),
    )
    op.create_index("ix_api_keys_subject_id", "api_keys", ["subject_id"])
    op.create_table(
        "mandates",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("broker_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("trader_party_id", sa.String(70), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("granted_by", sa.String(64), nullable=False),
        sa.Column("granted_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp, nullable=True),
    )
    op.create_index("ix_mandates_broker_id", "mandates", ["broker_id"])
    op.create_index("ix_mandates_trader_party_id", "mandates", ["trader_party_id"])


def downgrade() -> None:
    """Drop the identity tables (every subject, key and mandate with them)."""
    for table in ("mandates", "api_keys", "subject_offices", "subject_parties", "subjects"):
        op.drop_table(table)
