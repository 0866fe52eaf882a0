"""A sending party's second identifier: the ``sender_alias`` of messages and declarations.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

A China Single Window DecMessage names its declarant by a 10-character customs code and an
18-character USCC. The message is filed under one canonical sender (the USCC when it carries
one) so that the same bytes sent by either of the firm's subjects are one sender's resend; the
other identifier is kept beside it, so that a subject acting only as the customs code still
sees the message and its declarations (``clearance/app/access.py``) and, on PostgreSQL, the
row-level security policies of migration 0009 show them to it too. Null for every other
message and for rows from before this revision (visible by sender, as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

PARTIES = "string_to_array(nullif(current_setting('app.party_ids', true), ''), ',')"
OFFICES = "string_to_array(nullif(current_setting('app.offices', true), ''), ',')"
SUBJECT = "nullif(current_setting('app.subject', true), '')"

#: The two policies of 0009 that read the sender, before and after this revision.
BEFORE = {
    "inbound_messages": f"sender = ANY({PARTIES}) OR submitted_by = {SUBJECT}",
    "declarations": (
        f"sender = ANY({PARTIES}) OR trader_id = ANY({PARTIES}) OR office = ANY({OFFICES})"
    ),
}
AFTER = {
    "inbound_messages": (
        f"sender = ANY({PARTIES}) OR sender_alias = ANY({PARTIES}) OR submitted_by = {SUBJECT}"
    ),
    "declarations": (
        f"sender = ANY({PARTIES}) OR sender_alias = ANY({PARTIES})"
        f" OR trader_id = ANY({PARTIES}) OR office = ANY({OFFICES})"
    ),
}


def upgrade() -> None:
    """The columns (null everywhere) and, on PostgreSQL, the policies reading them."""
    op.add_column("inbound_messages", sa.Column("sender_alias", sa.String(35), nullable=True))
    op.add_column("declarations", sa.Column("sender_alias", sa.String(35), nullable=True))
    op.create_index("ix_declarations_sender_alias", "declarations", ["sender_alias"])
    if op.get_bind().dialect.name == "postgresql":
        _policies(AFTER)


def downgrade() -> None:
    """The policies of 0009 again, then drop the columns."""
    if op.get_bind().dialect.name == "postgresql":
        _policies(BEFORE)
    op.drop_index("ix_declarations_sender_alias", "declarations")
    op.drop_column("declarations", "sender_alias")
    op.drop_column("inbound_messages", "sender_alias")


def _policies(conditions: dict[str, str]) -> None:
    for table, condition in conditions.items():
        op.execute(f"DROP POLICY IF EXISTS tenant_read ON {table}")
        op.execute(
            f"CREATE POLICY tenant_read ON {table} FOR SELECT TO customs_tenant USING ({condition})"
        )
