"""The pipeline's prebuilt statements on the driver's cursor (core.db.run_driver, ADR 0006 stop 24).

``run_driver`` skips SQLAlchemy's execution context but must keep what the project relies on
around it: the statement listeners (the write-path tests and statements_bench count with
them), the driver's errors raised as SQLAlchemy raises them (``store_fault`` reads a full disk
or a lost store from ``DBAPIError``), the rows a statement returns, and executemany for a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.db import run_driver, store_fault

pytestmark = pytest.mark.db


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction, with a scratch table ``t`` of its own (rolled back:
    the pooled connection keeps no table)."""
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.exec_driver_sql("CREATE TEMPORARY TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        yield conn
        transaction.rollback()


def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _insert(connection: Connection) -> str:
    mark = _mark(connection)
    return f"INSERT INTO t (id, v) VALUES ({mark}, {mark})"


def test_listeners_see_each_call_and_the_rows_come_back(
    engine: Engine, connection: Connection
) -> None:
    seen: list[tuple[str, str, Any, bool]] = []

    def before(*args: Any) -> None:
        seen.append(("before", args[2], args[3], args[5]))

    def after(*args: Any) -> None:
        seen.append(("after", args[2], args[3], args[5]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        insert = _insert(connection)
        run_driver(connection, insert, [(1, "a"), (2, "b")])
        run_driver(connection, insert, [(3, "c")])  # a list of one: an execute, as SQLAlchemy
        rows = run_driver(connection, f"SELECT id, v FROM t WHERE id > {_mark(connection)}", (1,))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert rows == [(2, "b"), (3, "c")]
    select = f"SELECT id, v FROM t WHERE id > {_mark(connection)}"
    assert seen == [
        ("before", insert, [(1, "a"), (2, "b")], True),
        ("after", insert, [(1, "a"), (2, "b")], True),
        ("before", insert, (3, "c"), False),
        ("after", insert, (3, "c"), False),
        ("before", select, (1,), False),
        ("after", select, (1,), False),
    ]


def test_a_listener_may_rewrite_the_statement(engine: Engine, connection: Connection) -> None:
    def rewrite(*args: Any) -> tuple[str, Any]:
        return args[2].replace("'x'", "'y'"), args[3]

    event.listen(engine, "before_cursor_execute", rewrite, retval=True)
    try:
        run_driver(connection, "INSERT INTO t (id, v) VALUES (1, 'x')")
    finally:
        event.remove(engine, "before_cursor_execute", rewrite)
    assert run_driver(connection, "SELECT v FROM t") == [("y",)]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(connection: Connection) -> None:
    insert = _insert(connection)
    run_driver(connection, insert, (1, "a"))
    with pytest.raises(IntegrityError) as raised:
        run_driver(connection, insert, [(2, "b"), (1, "again")])
    assert raised.value.statement == insert
    assert store_fault(raised.value) is None  # the message's fault, not the store's


def test_a_full_disk_from_the_driver_is_told_as_a_store_fault(
    engine: Engine, connection: Connection
) -> None:
    def full(*_args: Any) -> None:
        raise engine.dialect.loaded_dbapi.OperationalError("database or disk is full")

    event.listen(engine, "before_cursor_execute", full)
    try:
        with pytest.raises(DBAPIError) as raised:
            run_driver(connection, _insert(connection), [(1, "a"), (2, "b")])
    finally:
        event.remove(engine, "before_cursor_execute", full)
    assert store_fault(raised.value) == "full"


def test_outside_a_transaction_it_begins_one_as_sqlalchemy_does(engine: Engine) -> None:
    with engine.connect() as conn:
        assert run_driver(conn, "SELECT 1 + 1") == [(2,)]
        assert conn.in_transaction()
