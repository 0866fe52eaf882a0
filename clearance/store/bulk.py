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
(``unnest`` keeps it), so ids still follow the rows. Columns whose type has a bind processor
(``Boolean``) get it applied; a table with Python-side column defaults not given in the rows
keeps the executemany path.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.orm import Session

_INSERTS: dict[Table, Insert] = {}
_RETURNING_IDS: dict[type[Any], Insert] = {}
#: Per table and keys: the unnest INSERT and each column's bind processor (None: use
#: executemany, the table has Python-side defaults the rows do not give).
_UNNESTS: dict[tuple[Table, tuple[str, ...]], tuple[str, list[Any]] | None] = {}


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _insert(table: Table) -> Insert:
    # Built once per table: statement building is a cost paid per call otherwise.
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def _unnest(
    connection: Connection, table: Table, keys: tuple[str, ...]
) -> tuple[str, list[Any]] | None:
    """``INSERT INTO table (keys) SELECT * FROM unnest(CAST(:c0 AS type[]), …)``, built once."""
    cache_key = (table, keys)
    if cache_key in _UNNESTS:
        return _UNNESTS[cache_key]
    dialect = connection.dialect
    built: tuple[str, list[Any]] | None = None
    if not any(c.default is not None and c.name not in keys for c in table.c):
        quote = dialect.identifier_preparer.quote
        columns = [table.c[k] for k in keys]
        # %(cN)b: the arrays go in psycopg's binary format (its text format escapes every
        # element of a text array with a regular expression: 30 times slower on JSON text).
        arrays = ", ".join(
            f"CAST(%(c{n})b AS {c.type.compile(dialect=dialect)}[])" for n, c in enumerate(columns)
        )
        names = ", ".join(quote(c.name) for c in columns)
        statement = f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays})"
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        built = (statement, processors)
    _UNNESTS[cache_key] = built
    return built


def insert_table_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` on ``connection``, in order (see the module's doc)."""
    for run in _runs(rows):
        unnest = None
        if len(run) > 1 and connection.dialect.name == "postgresql":
            unnest = _unnest(connection, table, tuple(run[0]))
        if unnest is None:
            connection.execute(_insert(table), run)
            continue
        statement, processors = unnest
        arrays: dict[str, list[Any]] = {}
        for n, (key, process) in enumerate(zip(run[0], processors, strict=True)):
            values = [row[key] for row in run]
            arrays[f"c{n}"] = values if process is None else [process(v) for v in values]
        connection.exec_driver_sql(statement, arrays)


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
