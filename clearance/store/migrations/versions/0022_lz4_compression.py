"""LZ4 instead of pglz for the wide text a declaration writes (PostgreSQL; issue 15).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06

PostgreSQL compresses a value when its row grows past about 2 kB; a five-item declaration writes
several such values (the canonical declaration twice, the assessment's result, the decision's
inputs and findings, the CUSRES). With the server's default, pglz, compressing them was the
largest share of the backend's CPU per row of those INSERTs (auto_explain on the benchmark's
day, ADR 0006 "Stop 24: pglean"). LZ4 (PostgreSQL 14+, when the server was built with it)
compresses several times faster for a slightly larger result and reads back faster too.

Only values written from now on use it: a column's compression applies to new values, old ones
keep the method they were stored with and read as before, so the change takes no rewrite and
no lock beyond the catalogue's. On SQLite, on PostgreSQL before 14 and on a server built without
LZ4 this migration changes nothing.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0022"
down_revision = "0020"
branch_labels = None
# declaration_assessments is the tariffs branch's table; decisions is in 0004 (below 0020).
depends_on = "0003"

#: (table, column): the values of the processing path that reach the compression threshold.
COLUMNS = (
    ("declarations", "canonical"),
    ("declaration_versions", "canonical"),
    ("declaration_assessments", "result"),
    ("decisions", "fired_rules"),
    ("decisions", "findings"),
    ("decisions", "reasons"),
    ("decisions", "inputs"),
    ("outbound_messages", "content"),
    ("events", "data"),
)


def lz4_available() -> bool:
    """Whether the server can compress with LZ4 (PostgreSQL 14+ built ``--with-lz4``)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    # The setting exists from 14 on; its allowed values list what the server was built with.
    allowed = bind.execute(
        text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return allowed is not None and "lz4" in allowed


def upgrade() -> None:
    """Compress the columns' new values with LZ4."""
    if lz4_available():
        _set("lz4")


def downgrade() -> None:
    """Back to the server's default method (values stored meanwhile stay LZ4, and readable)."""
    if lz4_available():
        _set("default")


def _set(method: str) -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")
