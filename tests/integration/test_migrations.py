"""The Alembic migrations build exactly the schema the table classes describe."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from clearance.store.migrate import alembic_config, upgrade
from clearance.store.schema import metadata

pytestmark = pytest.mark.db


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_the_ledger_balances_migration_fills_the_heads_from_their_entries(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:  # back to the store before running balances
        config.attributes["connection"] = connection
        command.downgrade(config, "0020-1")
    with engine.begin() as connection:
        connection.execute(text(HEADS_BEFORE))
        connection.execute(text(ENTRIES_BEFORE))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    finally:
        upgrade(engine)  # whatever happened, the schema the other tests expect
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT key, reserved, consumed, reserved_uses, consumed_uses "
                "FROM ledger_heads ORDER BY key"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        # A: 10 reserved, 7 consumed, 3 released; B: 3 reserved (its use), 0.5 released; C: none
        ("licence:M1", Decimal("2.5"), Decimal(7), 1, 1),
        ("quota:M2", Decimal(0), Decimal(0), 0, 0),  # no entries
    ]


HEADS_BEFORE = """
INSERT INTO ledger_heads (id, key, kind, document, unit, quantity, tolerance, max_uses, created_at)
VALUES (1, 'licence:M1', 'licence', 'M1', 'KGM', 100, 0, 5, '2026-06-15 02:00:00+00'),
       (2, 'quota:M2', 'quota', 'M2', 'KGM', 50, 0, NULL, '2026-06-15 02:00:00+00')
"""
ENTRIES_BEFORE = """
INSERT INTO ledger_entries
  (head_id, kind, quantity, uses, declaration_number, declaration_version, created_at)
VALUES (1, 'reserve', 10, 1, 'A', 1, '2026-06-15 02:00:00+00'),
       (1, 'consume', 7, 1, 'A', 1, '2026-06-15 02:00:00+00'),
       (1, 'release', 3, 0, 'A', 1, '2026-06-15 02:00:00+00'),
       (1, 'reserve', 3, 1, 'B', 1, '2026-06-15 02:00:00+00'),
       (1, 'release', 0.5, 0, 'B', 1, '2026-06-15 02:00:00+00'),
       (1, 'reserve', 4, 1, 'C', 1, '2026-06-15 02:00:00+00'),
       (1, 'release', 4, 1, 'C', 1, '2026-06-15 02:00:00+00')
"""
