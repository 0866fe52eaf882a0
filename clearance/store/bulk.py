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

Rows whose new ids the caller needs (:func:`insert_rows_returning_ids`) are, on SQLite, given
their ids here: one ``SELECT max(id)`` and the same executemany, with the ids as one more
column. SQLite's ``INSERT … RETURNING`` is one statement per row (SQLAlchemy cannot rely on
the order of a multi-row RETURNING there), and each went through a full SQLAlchemy execution:
about 75 µs a row, two rows per declaration (docs/throughput.md, stop 23). The ids are the
ones SQLite would have given: a table without ``AUTOINCREMENT`` gives a new row the largest
rowid plus one, and nobody else inserts in between, because a transaction holds SQLite's
single write lock from its ``BEGIN IMMEDIATE`` (:func:`core.db.make_engine`) to its end (and
a transaction that had begun as a reader could not write at all after another writer, SQLite
refuses it with ``SQLITE_BUSY_SNAPSHOT``: never a duplicate id, at worst an error). A single
row (most interchanges hold one declaration) is inserted with ``RETURNING id`` instead: one
statement where drawing its id was two, and the id is SQLite's own (stop 26).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.orm import Session

from core.db import run_driver

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
        if len(run) == 1 and dialect == "sqlite":
            # One row (most tables of a one-declaration interchange): its values as the
            # driver's parameters, without the column lists of a run.
            run_driver(connection, plain[0], _one(run[0], keys, plain[1]))
            continue
        columns = _columns(run, keys, plain[1])
        if dialect == "postgresql":
            run_driver(connection, plain[0], {f"c{n}": c for n, c in enumerate(columns)})
        else:
            run_driver(connection, plain[0], list(zip(*columns, strict=True)))


def _one(row: dict[str, Any], keys: tuple[str, ...], processors: list[Any]) -> tuple[Any, ...]:
    """The values of ``row`` in ``keys`` order, each through its column's bind processor."""
    return tuple(
        row[key] if process is None else process(row[key])
        for key, process in zip(keys, processors, strict=True)
    )


def _columns(
    run: Sequence[dict[str, Any]], keys: tuple[str, ...], processors: list[Any]
) -> list[list[Any]]:
    """The values of ``run`` column by column, each through its column's bind processor.

    A column whose rows all hold the same object (the unit of work's instant in every
    ``created_at``) is processed once: SQLite's date and time processors format in Python,
    about 1.5 µs a value, and most rows of a chunk carry the same instant (stop 23).
    """
    columns = []
    for key, process in zip(keys, processors, strict=True):
        if process is None:
            columns.append([row[key] for row in run])
            continue
        first = run[0][key]
        if all(row[key] is first for row in run):
            columns.append([process(first)] * len(run))
        else:
            columns.append([process(row[key]) for row in run])
    return columns


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
    if connection.dialect.name == "sqlite":
        numbered = _insert_numbered(connection, _table(model), rows)
        if numbered is not None:
            return numbered
    ids: list[int] = []
    for run in _runs(rows):
        ids.extend(connection.execute(_insert_returning_ids(model), run).scalars())
    return ids


#: SQLite's largest rowid: past it SQLite picks unused rowids at random (never reached here).
_LARGEST_ROWID = (1 << 63) - 1


def _insert_numbered(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int] | None:
    """SQLite: insert ``rows`` with the ids SQLite would give them, drawn here (the module's
    doc says why they are the same); the ids, or None where this does not apply (a table
    without a single ``id`` key, rows that give their own ids, Python-side defaults)."""
    key = table.primary_key.columns.values()
    if len(key) != 1 or key[0].name != "id" or any("id" in row for row in rows):
        return None
    if len(rows) == 1:
        return _insert_one(connection, table, rows[0])
    runs = _runs(rows)
    plains = [_plain(connection, table, ("id", *run[0])) for run in runs]
    if any(plain is None for plain in plains):
        return None
    statement = _MAX_IDS.get(table)
    if statement is None:
        quote = connection.dialect.identifier_preparer.quote
        statement = _MAX_IDS[table] = f"SELECT max(id) FROM {quote(table.name)}"
    last = run_driver(connection, statement)[0][0] or 0
    if last + len(rows) > _LARGEST_ROWID:
        return None
    ids = list(range(last + 1, last + 1 + len(rows)))
    start = 0
    for run, plain in zip(runs, plains, strict=True):
        assert plain is not None
        sql, processors = plain
        columns = _columns(run, tuple(run[0]), processors[1:])
        run_ids = ids[start : start + len(run)]
        start += len(run)
        run_driver(connection, sql, list(zip(run_ids, *columns, strict=True)))
    return ids


#: Per table: the driver's ``SELECT max(id)`` (SQLite).
_MAX_IDS: dict[Table, str] = {}


def _insert_one(connection: Connection, table: Table, row: dict[str, Any]) -> list[int] | None:
    """SQLite: one row inserted with ``RETURNING id``: the id SQLite gives it, in one
    statement where drawing it was two (``SELECT max(id)`` and the INSERT). Most
    interchanges hold one declaration, and three tables' ids are wanted per interchange
    (the message, the declaration, its assessment): ADR 0006, stop 26."""
    keys = tuple(row)
    plain = _plain(connection, table, keys)
    if plain is None:
        return None
    returning = _RETURNING_ID.get(plain[0])
    if returning is None:
        returning = _RETURNING_ID[plain[0]] = f"{plain[0]} RETURNING id"
    ((new_id,),) = run_driver(connection, returning, _one(row, keys, plain[1]))
    return [int(new_id)]


#: Per plain INSERT (SQLite): the same with ``RETURNING id``.
_RETURNING_ID: dict[str, str] = {}


__all__ = [
    "insert_rows",
    "insert_rows_returning_ids",
    "insert_table_rows",
]
