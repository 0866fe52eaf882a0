"""Running balances on ledger heads, filled from the entries (issue 15).

Revision ID: 0020
Revises: 0004
Create Date: 2026-12-06

A ledger's balance was summed over all its entries at every check, so a tariff quota open for a
year grew one entry per declaration drawing on it and every check cost more than the last. Each
head now keeps the four signed sums its balance is made of (reserved, consumed and their uses),
added to in the transaction of every entry (clearance/ledgers/balances.py); the entries stay
the record, and ``customs ledgers check`` compares the two.

A declaration's own holding on a head is still summed over its entries (a handful): the index on
the declaration number alone becomes one on (declaration number, head), which SQLite used to
pick the head's index over, reading the head's whole history for a few rows.

The fill below is one statement: it sums each head's entries once. Stop the workers before
``customs init`` (a worker still running the earlier code adds entries without the balance);
``customs ledgers check --repair`` sets any head that drifted back to its entries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Column → (the sign of each entry kind in it, the entry column summed).
BALANCE = {
    "reserved": ({"reserve": 1, "consume": -1, "release": -1}, "quantity"),
    "consumed": ({"consume": 1, "return": -1}, "quantity"),
    "reserved_uses": ({"reserve": 1, "consume": -1, "release": -1}, "uses"),
    "consumed_uses": ({"consume": 1, "return": -1}, "uses"),
}


def upgrade() -> None:
    """Add the balance columns (zero) and fill them from each head's entries."""
    for column, (_, summed) in BALANCE.items():
        kind = sa.Numeric(20, 4) if summed == "quantity" else sa.Integer()
        op.add_column("ledger_heads", sa.Column(column, kind, nullable=False, server_default="0"))
    op.execute(f"UPDATE ledger_heads SET {', '.join(_fill(c) for c in BALANCE)}")
    op.create_index(
        "ix_ledger_entries_declaration_head", "ledger_entries", ["declaration_number", "head_id"]
    )
    op.drop_index("ix_ledger_entries_declaration_number", "ledger_entries")


def _fill(column: str) -> str:
    signs, summed = BALANCE[column]
    cases = " ".join(
        f"WHEN '{kind}' THEN {'' if sign > 0 else '-'}e.{summed}" for kind, sign in signs.items()
    )
    return (
        f"{column} = COALESCE((SELECT SUM(CASE e.kind {cases} ELSE 0 END) "
        "FROM ledger_entries e WHERE e.head_id = ledger_heads.id), 0)"
    )


def downgrade() -> None:
    """Drop the balance columns (the entries still hold every movement)."""
    op.create_index(
        "ix_ledger_entries_declaration_number", "ledger_entries", ["declaration_number"]
    )
    op.drop_index("ix_ledger_entries_declaration_head", "ledger_entries")
    with op.batch_alter_table("ledger_heads") as batch:
        for column in reversed(BALANCE):
            batch.drop_column(column)
