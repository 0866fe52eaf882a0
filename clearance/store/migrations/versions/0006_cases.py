"""Registry changes one record at a time; rebate batches kept in the store, and acknowledged.

Revision ID: 0006
Revises: 0001 (and needs 0004, whose tables it extends)
Create Date: 2026-12-05

Written by hand to match ``clearance/store/control_tables.py``. The application cases of
issue 10 keep their own branch, ``cases``, from the initial schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = ("cases",)
depends_on = "0004"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``registry_changes`` (one row per existing load, in load order)."""
    op.create_table(
        "registry_changes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("load_id", BigId, sa.ForeignKey("registry_loads.id"), nullable=False),
        sa.Column("based_on_load_id", BigId, sa.ForeignKey("registry_loads.id"), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("number", sa.String(35), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("changed_at", Stamp, nullable=False),
    )
    # Until now the newest load was the one in force: each existing load was a change.
    op.execute(
        "INSERT INTO registry_changes (load_id, action, changed_at) "
        "SELECT id, 'load', loaded_at FROM registry_loads ORDER BY id"
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.drop_table("registry_changes")
