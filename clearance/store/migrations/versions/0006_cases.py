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
    """Registry changes; rebate batch files, control records and acknowledgements."""
    _registry_changes()
    _rebates()


def _registry_changes() -> None:
    """``registry_changes``, with one row per existing load, in load order."""
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


def _rebates() -> None:
    """The batch as sent and its answer; a record's acknowledgement; the files received.

    Batches exported before this revision keep null contents (their files were only written
    to disk) and null control records.
    """
    for column in (
        sa.Column("fob_total", sa.Numeric(20, 2), nullable=True),
        sa.Column("csv_sha256", sa.String(64), nullable=True),
        sa.Column("csv_content", sa.Text(), nullable=True),
        sa.Column("xml_content", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", Stamp, nullable=True),
        sa.Column("accepted_count", sa.Integer(), nullable=True),
        sa.Column("rejected_count", sa.Integer(), nullable=True),
    ):
        op.add_column("rebate_batches", column)
    for column in (
        sa.Column("reason_code", sa.String(16), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", Stamp, nullable=True),
    ):
        op.add_column("rebate_records", column)
    op.create_table(
        "rebate_acknowledgements",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("batch_id", BigId, sa.ForeignKey("rebate_batches.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("received_at", Stamp, nullable=False),
    )
    op.create_index("ix_rebate_acknowledgements_batch_id", "rebate_acknowledgements", ["batch_id"])


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.drop_index("ix_rebate_acknowledgements_batch_id", "rebate_acknowledgements")
    op.drop_table("rebate_acknowledgements")
    with op.batch_alter_table("rebate_records") as batch:
        for name in ("reason_code", "reason_text", "acknowledged_at"):
            batch.drop_column(name)
    with op.batch_alter_table("rebate_batches") as batch:
        for name in (
            "fob_total",
            "csv_sha256",
            "csv_content",
            "xml_content",
            "acknowledged_at",
            "accepted_count",
            "rejected_count",
        ):
            batch.drop_column(name)
    op.drop_table("registry_changes")
