"""Indexes for lookups by message and by declaration that scanned the whole history.

Revision ID: 0019
Revises: 0001
Create Date: 2026-12-05

benchmarks/history_bench.py (issue 15) EXPLAINed the statements of intake and of reading back a
submission at 100,000 and 1,000,000 stored declarations: these foreign keys had no index, so each
lookup was a sequential scan whose cost grew with every declaration ever stored:

- ``declarations.inbound_message_id``: a resend answered again as a duplicate (its original's
  declarations), ``GET /v1/submissions/{id}`` and the message's files;
- ``interchange_keys.inbound_message_id``: an interchange rejected as a whole gives its
  reference back (the key it claimed is deleted);
- ``outbound_messages.declaration_id``: a declaration's answers (``customs declarations show``,
  ``GET /v1/declarations/{number}``);
- ``events.inbound_message_id``: the refusal code of a submission rejected over HTTP (its
  latest event by id: without the index, a backward scan of the whole log), a manifest
  resend's events.

On a large existing store each index takes a while to build and holds writes meanwhile; run
``customs init`` in a quiet hour (or create them ``CONCURRENTLY`` by hand first: the names match,
and ``CREATE INDEX IF NOT EXISTS`` below then skips them on PostgreSQL).
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0001"
branch_labels = ("history_indexes",)
depends_on = None

#: (index, table, column): the names SQLAlchemy gives ``index=True`` columns.
INDEXES = (
    ("ix_declarations_inbound_message_id", "declarations", "inbound_message_id"),
    ("ix_interchange_keys_inbound_message_id", "interchange_keys", "inbound_message_id"),
    ("ix_outbound_messages_declaration_id", "outbound_messages", "declaration_id"),
    ("ix_events_inbound_message_id", "events", "inbound_message_id"),
)


def upgrade() -> None:
    """Create the indexes (kept if an operator built them concurrently beforehand)."""
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], if_not_exists=True)


def downgrade() -> None:
    """Drop the indexes."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table)
