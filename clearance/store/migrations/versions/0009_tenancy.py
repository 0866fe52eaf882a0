"""Tenancy: who owns a message and a declaration; PostgreSQL row-level security as a second guard.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

Ownership columns (every database): ``inbound_messages.submitted_by`` and
``declarations.submitted_by`` (the subject that sent it; null for the local operator and for
rows from before this revision) and ``declarations.trader_id`` (the trader the declaration is
for: the domestic consignee or consignor's USCC or EORI, filled at registration; rows from
before keep null and stay visible by sender).

Row-level security (PostgreSQL only): the role ``customs_tenant`` may read the trader-data
tables, and its policies show only the rows of the party ids, offices and subject the
application sets for the transaction (``app.party_ids``, ``app.offices``, ``app.subject``;
see ``clearance/app/tenant_scope.py``).
The tables' owner (the role that runs the migrations and the pipeline) is not affected.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: The setting's list as a text[]; an unset or empty setting is an empty list (matches nothing).
PARTIES = "string_to_array(nullif(current_setting('app.party_ids', true), ''), ',')"
OFFICES = "string_to_array(nullif(current_setting('app.offices', true), ''), ',')"
SUBJECT = "nullif(current_setting('app.subject', true), '')"

#: Each trader-data table and the rows of it a tenant may read.
POLICIES = {
    "inbound_messages": f"sender = ANY({PARTIES}) OR submitted_by = {SUBJECT}",
    "declarations": (
        f"sender = ANY({PARTIES}) OR trader_id = ANY({PARTIES}) OR office = ANY({OFFICES})"
    ),
    "declaration_versions": "declaration_id IN (SELECT id FROM declarations)",
    "declaration_items": "declaration_id IN (SELECT id FROM declarations)",
    "outbound_messages": (
        "declaration_id IN (SELECT id FROM declarations) OR (declaration_id IS NULL"
        " AND inbound_message_id IN (SELECT id FROM inbound_messages))"
    ),
    "events": (
        "declaration_number IN (SELECT number FROM declarations)"
        " OR inbound_message_id IN (SELECT id FROM inbound_messages)"
    ),
}


def upgrade() -> None:
    """Ownership columns everywhere; the tenant role and its policies on PostgreSQL."""
    op.add_column("inbound_messages", sa.Column("submitted_by", sa.String(64), nullable=True))
    op.add_column("declarations", sa.Column("submitted_by", sa.String(64), nullable=True))
    op.add_column("declarations", sa.Column("trader_id", sa.String(35), nullable=True))
    op.create_index("ix_declarations_trader_id", "declarations", ["trader_id"])
    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


def downgrade() -> None:
    """Drop the policies (PostgreSQL) and the ownership columns."""
    if op.get_bind().dialect.name == "postgresql":
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS tenant_read ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_declarations_trader_id", "declarations")
    op.drop_column("declarations", "trader_id")
    op.drop_column("declarations", "submitted_by")
    op.drop_column("inbound_messages", "submitted_by")


def _row_level_security() -> None:
    # Roles belong to the cluster, not the database: another database may have made it, even
    # at this moment (hence the exception handler rather than a check first).
    op.execute(
        "DO $$ BEGIN CREATE ROLE customs_tenant NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    # The application's own role switches to it per transaction (SET LOCAL ROLE).
    op.execute("GRANT customs_tenant TO CURRENT_USER")
    op.execute("GRANT USAGE ON SCHEMA public TO customs_tenant")
    # Reading a declaration needs its assessment, decisions, tariffs …: every table may be
    # read, and the trader-data tables only through the policies below.
    op.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO customs_tenant")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO customs_tenant")
    for table, condition in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY IF EXISTS tenant_read ON {table}")
        op.execute(
            f"CREATE POLICY tenant_read ON {table} FOR SELECT TO customs_tenant USING ({condition})"
        )
