"""Many rows of one table in one statement, as Core: what the pipeline writes per interchange.

``session.execute(insert(Model), rows)`` takes the ORM's bulk path: it groups the rows by
mapper and keys, builds the statement per call and autoflushes first; profiled on the day-mix
benchmark (docs/throughput.md) that bookkeeping cost more than the INSERTs themselves. The
pipeline's rows are plain dicts nobody holds as ORM objects, so they are inserted with the
table's Core statement on the session's own connection (same transaction, same columns and
defaults). Rows whose keys differ are written in runs of equal keys, in the order given, so
ids still follow the order the rows were produced in.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Insert, Table, insert
from sqlalchemy.orm import Session

_INSERTS: dict[type[Any], Insert] = {}
_RETURNING_IDS: dict[type[Any], Insert] = {}


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _insert(model: type[Any]) -> Insert:
    # Built once per table: statement building is a cost paid per call otherwise.
    statement = _INSERTS.get(model)
    if statement is None:
        statement = _INSERTS[model] = insert(_table(model))
    return statement


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
    if not rows:
        return
    connection = session.connection()
    for run in _runs(rows):
        connection.execute(_insert(model), run)


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


__all__ = ["insert_rows", "insert_rows_returning_ids"]
