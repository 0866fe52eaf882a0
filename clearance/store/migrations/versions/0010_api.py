"""The HTTP API's idempotency keys.

Revision ID: 0010
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/api_tables.py``. The HTTP API keeps its own branch,
``api``, from the initial schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = ("api",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """``api_idempotency_keys``: one row per (subject, Idempotency-Key)."""
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("media_type", sa.String(128), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("completed_at", Stamp, nullable=True),
        sa.UniqueConstraint("subject", "key"),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("api_idempotency_keys")
