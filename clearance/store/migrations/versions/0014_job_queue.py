"""The job queue (procrastinate, PostgreSQL only), scheduled slots and outbox deliveries.

Revision ID: 0014
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/operations_tables.py``. The operations area keeps
its own branch, ``operations``, from the initial schema. On PostgreSQL it also installs
procrastinate's tables and functions in the schema ``procrastinate``
(``clearance/store/queue_schema.py``); SQLite has no queue (jobs run in process).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clearance.store import queue_schema

revision = "0014"
down_revision = "0001"
branch_labels = ("operations",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the slot and delivery tables; install the queue on PostgreSQL."""
    op.create_table(
        "job_slots",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("slot", Stamp, nullable=False),
        sa.Column("claimed_at", Stamp, nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.Column("queue_job_id", BigId, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", Stamp, nullable=True),
        sa.UniqueConstraint("job", "slot"),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "outbound_message_id", BigId, sa.ForeignKey("outbound_messages.id"), nullable=False
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Stamp, nullable=True),
        sa.Column("delivered_at", Stamp, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.UniqueConstraint("outbound_message_id", "channel"),
    )
    op.create_index(
        "ix_outbox_deliveries_outbound_message_id", "outbox_deliveries", ["outbound_message_id"]
    )
    op.create_index("ix_outbox_deliveries_status", "outbox_deliveries", ["status"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        queue_schema.install(bind)


def downgrade() -> None:
    """Drop the queue (every job in it) and the tables."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        queue_schema.drop(bind)
    op.drop_table("outbox_deliveries")
    op.drop_table("job_slots")
