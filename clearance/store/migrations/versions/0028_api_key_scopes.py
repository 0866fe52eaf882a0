"""API keys limited by scope: ``api_keys.scopes``.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07

A key may carry scopes, a subset of its subject's role's permissions (``read``, ``quote``,
``submit`` …), space-separated as an OAuth ``scope`` claim; the key may then do only that (a
broker's dashboard key that reads and never submits). Null, as for every key issued before this
revision, is unscoped: the key keeps every permission of the role, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The nullable column (existing keys stay unscoped)."""
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scopes", sa.String(500)))


def downgrade() -> None:
    """Drop it: every key is unscoped again, with its role's full rights."""
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("scopes")
