"""``core.db.DriverStatement``: a Core statement compiled once, run on the driver's cursor.

What it must keep of a Core execution: the values sent through the columns' bind processors
(SQLite has no native datetime, decimal or boolean), the rows read back through the result
processors (a ``datetime``, a ``Decimal``, a ``bool``, not SQLite's text and integers), the
values the statement binds itself (a LIMIT), executemany for a list, and the statement
listeners; and the statement compiled once per dialect.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    bindparam,
    event,
    insert,
    select,
    update,
)

from core.db import DriverStatement

pytestmark = pytest.mark.db

_META = MetaData()
_T = Table(
    "driver_statement_probe",
    _META,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True)),
    Column("amount", Numeric(18, 4)),
    Column("flag", Boolean),
    Column("note", Text),
)
_ROWS = [
    {
        "id": 1,
        "at": datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=UTC),
        "amount": Decimal("12.3400"),
        "flag": True,
        "note": "a",
    },
    {
        "id": 2,
        "at": datetime(2026, 12, 8, 0, 0, 0, tzinfo=UTC),
        "amount": Decimal("0.0001"),
        "flag": False,
        "note": None,
    },
]
_INSERT = DriverStatement(insert(_T))
_SELECT = DriverStatement(select(_T).where(_T.c.id >= bindparam("low")).order_by(_T.c.id))
_FIRST = DriverStatement(select(_T.c.note).order_by(_T.c.id.desc()).limit(1))
_UPDATE = DriverStatement(
    update(_T).where(_T.c.id == bindparam("row_id")).values(note=bindparam("new_note"))
)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction holding the probe table (rolled back: nothing is kept)."""
    with engine.connect() as conn:
        transaction = conn.begin()
        _META.create_all(conn)
        yield conn
        transaction.rollback()


def _typed(rows: list[Any]) -> list[tuple[tuple[type, Any], ...]]:
    """Each value with its type: ``1 == True`` and ``Decimal('1') == 1`` would hide a miss."""
    return [tuple((type(value), value) for value in row) for row in rows]


def test_values_sent_and_read_as_core_sends_and_reads_them(connection: Connection) -> None:
    _INSERT.run(connection, _ROWS)  # an executemany through the bind processors
    core = connection.execute(select(_T).where(_T.c.id >= 1).order_by(_T.c.id)).all()
    driver = _SELECT.rows(connection, low=1)
    assert _typed(driver) == _typed(list(core))
    at = _ROWS[0]["at"]
    assert isinstance(at, datetime)
    assert driver[0][1] == at.replace(tzinfo=driver[0][1].tzinfo)
    assert type(driver[0][2]) is Decimal and type(driver[0][3]) is bool


def test_rows_written_by_core_read_the_same(connection: Connection) -> None:
    connection.execute(insert(_T), _ROWS)
    assert _typed(_SELECT.rows(connection, low=2)) == _typed(
        list(connection.execute(select(_T).where(_T.c.id >= 2)).all())
    )


def test_the_statements_own_values_and_first(connection: Connection) -> None:
    assert _FIRST.first(connection) is None  # no rows
    _INSERT.run(connection, _ROWS[0])
    _INSERT.run(connection, {**_ROWS[1], "note": "b"})
    assert _FIRST.first(connection) == "b"  # its LIMIT 1 is bound without being given
    _UPDATE.run(connection, {"row_id": 1, "new_note": "changed"})
    assert connection.execute(select(_T.c.note).where(_T.c.id == 1)).scalar_one() == "changed"


def test_listeners_see_one_call_per_run_and_a_list_as_executemany(
    engine: Engine, connection: Connection
) -> None:
    seen: list[tuple[str, bool]] = []

    def before(*args: Any) -> None:
        seen.append((args[2], args[5]))

    event.listen(engine, "before_cursor_execute", before)
    try:
        _INSERT.run(connection, _ROWS)
        _SELECT.rows(connection, low=1)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    insert_sql = _INSERT.compiled(connection.dialect).sql
    select_sql = _SELECT.compiled(connection.dialect).sql
    assert seen == [(insert_sql, True), (select_sql, False)]


def test_compiled_once_per_dialect(connection: Connection) -> None:
    statement = DriverStatement(select(_T.c.id).where(_T.c.id == bindparam("row_id")))
    first = statement.compiled(connection.dialect)
    statement.rows(connection, row_id=1)
    assert statement.compiled(connection.dialect) is first
