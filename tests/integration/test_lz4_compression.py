"""PostgreSQL compresses the declaration path's wide values with LZ4 (migration 0022, issue 15).

pglz, the server's default, was the largest share of the backend's CPU in the INSERTs of the
declaration path's wide rows; the migration switches those columns to LZ4 where the server
has it. SQLite compresses nothing: the migration leaves it alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, text

from clearance.store.tables import Event

pytestmark = pytest.mark.db

#: What 0022 switches (a copy: the test must fail if the migration's list loses one).
EXPECTED = {
    ("declarations", "canonical"),
    ("declaration_versions", "canonical"),
    ("declaration_assessments", "result"),
    ("decisions", "fired_rules"),
    ("decisions", "findings"),
    ("decisions", "reasons"),
    ("decisions", "inputs"),
    ("outbound_messages", "content"),
    ("events", "data"),
}


def _lz4_server(engine: Engine) -> bool:
    with engine.connect() as conn:
        allowed = conn.scalar(
            text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        )
    return allowed is not None and "lz4" in allowed


def _postgres_with_lz4(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's column compression")
    if not _lz4_server(engine):
        pytest.skip("this PostgreSQL server was built without LZ4")


def test_the_declaration_path_columns_compress_with_lz4(engine: Engine) -> None:
    _postgres_with_lz4(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, a.attname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND a.attcompression = 'l' AND NOT a.attisdropped"
            )
        ).all()
    assert {(table, column) for table, column in rows} == EXPECTED


def test_a_large_value_is_stored_lz4_and_reads_back_whole(engine: Engine) -> None:
    _postgres_with_lz4(engine)
    # Large enough to pass the ~2 kB threshold, repetitive enough to compress.
    data = json.dumps(
        {"findings": [{"rule": f"R{i % 7}", "text": "licence missing"} for i in range(400)]}
    )
    with engine.begin() as conn:
        event_id = conn.execute(
            insert(Event)
            .values(occurred_at=datetime(2026, 12, 6, tzinfo=UTC), kind="received", data=data)
            .returning(Event.id)
        ).scalar_one()
    with engine.connect() as conn:
        method, stored, read = conn.execute(
            text(
                "SELECT pg_column_compression(data), pg_column_size(data), data "
                "FROM events WHERE id = :id"
            ),
            {"id": event_id},
        ).one()
    assert method == "lz4"
    assert stored < len(data)  # compressed, not only moved out of line
    assert read == data


def test_the_migration_runs_on_sqlite_and_changes_nothing_there(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        version = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    assert "0022" in version  # the migration ran and changed nothing else (the schema test)
