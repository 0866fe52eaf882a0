"""Tariff schedule versions and stored assessments.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("tariffs",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the tariff tables."""
    op.create_table(
        "tariff_schedules",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("regime", sa.String(16), nullable=True),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "declaration_assessments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("schedule_version_id", sa.String(64), nullable=False),
        sa.Column("regime", sa.String(16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_assessed", sa.Numeric(20, 2), nullable=False),
        sa.Column("total_payable", sa.Numeric(20, 2), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_declaration_assessments_declaration_id", "declaration_assessments", ["declaration_id"]
    )
    op.create_table(
        "assessment_lines",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "assessment_id", BigId, sa.ForeignKey("declaration_assessments.id"), nullable=False
        ),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("tax", sa.String(32), nullable=False),
        sa.Column("measure_type", sa.String(32), nullable=False),
        sa.Column("measure_id", sa.String(64), nullable=False),
        sa.Column("expression", sa.String(256), nullable=False),
        sa.Column("base", sa.Numeric(20, 4), nullable=False),
        sa.Column("amount", sa.Numeric(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_index("ix_assessment_lines_assessment_id", "assessment_lines", ["assessment_id"])


def downgrade() -> None:
    """Drop the tariff tables."""
    op.drop_table("assessment_lines")
    op.drop_table("declaration_assessments")
    op.drop_table("tariff_schedules")
