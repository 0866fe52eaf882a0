"""FX objections: a trader objects to a B/C class notice; the FX authority rules on it.

Revision ID: 0027
Revises: 0026 (and needs 0012, whose ``fx_classes`` it refers to)
Create Date: 2026-12-07

The domain gives a B/C class a 7-working-day objection period; until now the deadline was only
shown. One row per objection (at most one per notice), with the ruling and, when granted, the
class notice the ruling appended. Written by hand to match ``clearance/store/fx_tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = "0012"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``fx_objections``."""
    op.create_table(
        "fx_objections",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("class_id", BigId, sa.ForeignKey("fx_classes.id"), nullable=False),
        sa.Column("trader", sa.String(35), nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("filed_at", Stamp, nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", Stamp, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("granted_grade", sa.String(1), nullable=True),
        sa.Column("result_class_id", BigId, sa.ForeignKey("fx_classes.id"), nullable=True),
        sa.UniqueConstraint("class_id"),
        sa.UniqueConstraint("result_class_id"),
    )
    op.create_index("ix_fx_objections_trader", "fx_objections", ["trader"])


def downgrade() -> None:
    """Drop it (objections are no longer recorded)."""
    op.drop_index("ix_fx_objections_trader", table_name="fx_objections")
    op.drop_table("fx_objections")
