"""Console sessions end on the server: ``subjects.sessions_valid_from``.

Revision ID: 0024
Revises: 0009
Create Date: 2026-12-07

The console's session is a signed cookie (``api/console/session.py``): without a record on the
server, a copy of it taken before signing out would still sign its holder in afterwards. Each
subject now keeps the instant from which its console sessions count: signing out and changing
the password set it to now, and a session signed in before it is refused (back to sign-in).
Null (every subject before this revision): no session has been ended.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The column, null for every subject."""
    op.add_column("subjects", sa.Column("sessions_valid_from", sa.DateTime(timezone=True)))


def downgrade() -> None:
    """Drop it (sessions end only by expiry again)."""
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("sessions_valid_from")
