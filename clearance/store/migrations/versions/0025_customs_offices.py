"""The customs-offices registry: ``customs_offices``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

Office codes were free strings on declarations and officers' subjects; issue 12 lists offices
among the registries the admin manages. One row per office code (关区代码, 4 digits; or an
8-character EU/UK office reference), with its names, country and validity.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The empty table (``customs offices load`` fills it)."""
    op.create_table(
        "customs_offices",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(200)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
    )


def downgrade() -> None:
    """Drop it (office codes are free strings again)."""
    op.drop_table("customs_offices")
