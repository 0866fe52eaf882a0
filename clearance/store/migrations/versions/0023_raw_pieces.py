"""PostgreSQL keeps the raw bytes of a message uncompressed, so that a worker reads a slice of
them at the cost of the slice (issue 15).

Revision ID: 0023
Revises: 0001
Create Date: 2026-12-06

A worker reads a stored interchange back a piece at a time (``substring(raw FROM x FOR n)``,
:mod:`clearance.store.raw_pieces`). PostgreSQL compresses a large bytea by default, and a slice
of a compressed value is had only by decompressing it from its start up to the slice's end,
so every piece costs as much as everything before it and the server's work grows with the
square of the size (a 50 MB interchange read in 1 MiB pieces: 1.4 CPU-s of the server's when
compressed, 0.1 uncompressed). ``STORAGE EXTERNAL`` keeps the value out of line and
uncompressed: a slice reads only the TOAST chunks it spans (1 MiB at any offset of a 100 MB
value: 8 ms, where the compressed one took 210 ms at 30 MB and 350 ms at 70 MB).

The price is disk: EDIFACT text compresses about 3.7 times (a generated 100 MB interchange took
27.5 MB compressed), so the hot table's raw messages take that much more room until the
``raw_retention`` job moves them into zip archives (after ``CUSTOMS_RAW_RETENTION_YEARS``, 3 by
default): a deliberate trade of disk for a worker's bounded reads. Values of less than about
2 kB stay in the row, as before. The setting applies to values written from now on: a message stored
compressed before stays so, and is still read correctly, only at the old cost. SQLite has no
such setting (its blobs are never compressed): nothing to do there.

Numbered 0023, not 0021: this change was merged once as 0021 and reverted, so a store may have
run that 0021 (and been downgraded, or not); a new number is never a different content under an
id already seen. It is its own branch from the initial schema, like every area's migrations,
not chained after 0022: 0022 (LZ4 for nine wide text columns) does not touch
``inbound_messages.raw``, and each area's head stays what its own tests expect. Even if the
column were set to LZ4, ``STORAGE EXTERNAL`` would still win: PostgreSQL compresses a value only
under ``EXTENDED`` or ``MAIN`` storage, whatever the column's compression method.
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0001"
branch_labels = ("raw_pieces",)
depends_on = None


def upgrade() -> None:
    """Keep ``inbound_messages.raw`` out of line and uncompressed (PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE inbound_messages ALTER COLUMN raw SET STORAGE EXTERNAL")


def downgrade() -> None:
    """Compress it again, as by default (for values written from then on)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE inbound_messages ALTER COLUMN raw SET STORAGE EXTENDED")
