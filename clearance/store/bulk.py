"""Many rows of one table in one statement, as Core: what the pipeline writes per interchange.

``session.execute(insert(Model), rows)`` takes the ORM's bulk path: it groups the rows by
mapper and keys, builds the statement per call and autoflushes first; profiled on the day-mix
benchmark (docs/throughput.md) that bookkeeping cost more than the INSERTs themselves. The
pipeline's rows are plain dicts nobody holds as ORM objects, so they are inserted with the
table's Core statement on the session's own connection (same transaction, same columns and
defaults). Rows whose keys differ are written in runs of equal keys, in the order given, so
ids still follow the order the rows were produced in.

On PostgreSQL a run of several rows is one ``INSERT … SELECT * FROM unnest(…)`` with one
array parameter per column, sent in binary: psycopg's executemany sends one statement per row
(pipelined, but each bound and executed by the server), and SQLAlchemy's multi-row VALUES
("insertmanyvalues") makes a long statement per row count that psycopg re-parses in Python on
every call (it does not cache statements of that size) and the server plans afresh. The
unnest statement's text is the same for every run of a table and its keys, so psycopg caches
it and, from its fifth use, prepares it on the server. Rows are inserted in array order
(``unnest`` keeps it), so ids still follow the rows.

On SQLite a run is the driver's own executemany of a prebuilt ``INSERT … VALUES (?, …)`` with
the rows as tuples: SQLAlchemy's executemany built and processed a parameter dictionary per
row (``construct_params``), about 3 % of the day's CPU. Either way each column's bind
processor (what SQLAlchemy applies: dates and decimals on SQLite, booleans) is applied, so the
stored values are the same; a table with Python-side column defaults the rows do not give
keeps SQLAlchemy's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.orm import Session

_INSERTS: dict[Table, Insert] = {}
_RETURNING_IDS: dict[type[Any], Insert] = {}
#: Per dialect, table and keys: the driver-level INSERT and each column's bind processor.
_PLAIN: dict[tuple[str, Table, tuple[str, ...]], tuple[str, list[Any]] | None] = {}


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _insert(table: Table) -> Insert:
    # Built once per table: statement building is a cost paid per call otherwise.
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def _plain(
    connection: Connection, table: Table, keys: tuple[str, ...]
) -> tuple[str, list[Any]] | None:
    """The INSERT of ``keys`` as driver SQL, and each column's bind processor; built once.

    PostgreSQL: ``INSERT INTO t (keys) SELECT * FROM unnest(CAST(%(c0)b AS type[]), …)``.
    SQLite: ``INSERT INTO t (keys) VALUES (?, …)`` for the driver's own executemany.
    None: the table has Python-side defaults the rows do not give (SQLAlchemy's path).
    """
    dialect = connection.dialect
    cache_key = (dialect.name, table, keys)
    if cache_key in _PLAIN:
        return _PLAIN[cache_key]
    built: tuple[str, list[Any]] | None = None
    if not any(c.default is not None and c.name not in keys for c in table.c):
        quote = dialect.identifier_preparer.quote
        columns = [table.c[k] for k in keys]
        names = ", ".join(quote(c.name) for c in columns)
        if dialect.name == "postgresql":
            # %(cN)b: the arrays go in psycopg's binary format (its text format escapes every
            # element of a text array with a regular expression: 30 times slower on JSON).
            arrays = ", ".join(
                f"CAST(%(c{n})b AS {c.type.compile(dialect=dialect)}[])"
                for n, c in enumerate(columns)
            )
            values = f"SELECT * FROM unnest({arrays})"
        else:
            values = f"VALUES ({', '.join('?' for _ in columns)})"
        statement = f"INSERT INTO {quote(table.name)} ({names}) {values}"
        # What SQLAlchemy applies to each value of these columns (DateTime and Numeric on
        # SQLite, Boolean): the same processors, so the stored values are the same.
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        built = (statement, processors)
    _PLAIN[cache_key] = built
    return built


def insert_table_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` on ``connection``, in order (see the module's doc)."""
    dialect = connection.dialect.name
    for run in _runs(rows):
        keys = tuple(run[0])
        plain = None
        if dialect == "sqlite" or (dialect == "postgresql" and len(run) > 1):
            plain = _plain(connection, table, keys)
        if plain is None:
            connection.execute(_insert(table), run)
            continue
        statement, processors = plain
        columns = [
            [row[key] for row in run] if process is None else [process(row[key]) for row in run]
            for key, process in zip(keys, processors, strict=True)
        ]
        if dialect == "postgresql":
            connection.exec_driver_sql(statement, {f"c{n}": c for n, c in enumerate(columns)})
        else:
            connection.exec_driver_sql(statement, list(zip(*columns, strict=True)))


def _insert_returning_ids(model: type[Any]) -> Insert:
    statement = _RETURNING_IDS.get(model)
    if statement is None:
        table = _table(model)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        _RETURNING_IDS[model] = statement
    return statement


def _runs(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive rows with the same keys (one executemany each: Core takes the keys of
    the first row for all of them)."""
    if all(row.keys() == rows[0].keys() for row in rows):
        return [list(rows)]
    return [list(run) for _, run in groupby(rows, key=_keys)]


def _keys(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table in the session's transaction, in order."""
    if rows:
        insert_table_rows(session.connection(), _table(model), rows)


def insert_rows_returning_ids(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` as :func:`insert_rows` does; their new ids, in the order of ``rows``."""
    if not rows:
        return []
    connection = session.connection()
    ids: list[int] = []
    for run in _runs(rows):
        ids.extend(connection.execute(_insert_returning_ids(model), run).scalars())
    return ids


__all__ = ["insert_rows", "insert_rows_returning_ids", "insert_table_rows"]
