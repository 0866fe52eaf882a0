"""Webhook endpoints and their deliveries.

Revision ID: 0015
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/webhook_tables.py``. The webhooks area keeps its
own branch, ``webhooks``, from the initial schema (events live there).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0001"
branch_labels = ("webhooks",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the endpoint and delivery tables."""
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(40), nullable=False, unique=True),
        sa.Column("owner_subject", sa.String(128), nullable=False),
        sa.Column("owner_role", sa.String(32), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_at", Stamp, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("secret_rotated_at", Stamp, nullable=True),
        sa.Column("event_cursor", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_webhook_endpoints_owner_subject", "webhook_endpoints", ["owner_subject"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", BigId, sa.ForeignKey("webhook_endpoints.id"), nullable=False),
        sa.Column("event_id", BigId, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Stamp, nullable=True),
        sa.Column("last_attempt_at", Stamp, nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", Stamp, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("endpoint_id", "event_id"),
    )
    op.create_index("ix_webhook_deliveries_endpoint_id", "webhook_deliveries", ["endpoint_id"])
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    """Drop the tables (every endpoint and delivery record)."""
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
