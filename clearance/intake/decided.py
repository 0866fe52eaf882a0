"""What the declaration steps decided, written to the declaration rows once per chunk.

Registration inserts a declaration's row before the steps run (their rows reference its id),
so lane, decision and status are an UPDATE afterwards. One UPDATE per declaration was a
statement and a round trip per declaration on PostgreSQL, and on SQLite a full SQLAlchemy
execution each (about 60–70 µs). The decided values are therefore queued on the session with
the other deferred rows (:mod:`clearance.store.deferred`) and written when the chunk's rows
are: on PostgreSQL one ``UPDATE … FROM unnest(…)`` for the chunk, on SQLite one executemany
of a statement built once. Whatever reads declaration rows inside the unit of work calls
:func:`~clearance.store.deferred.write_deferred` first (as for every deferred row), and the
session writes what is still queued before it commits.

The same row decided twice in one chunk (an original and its cancellation in one interchange)
is written in two statements, in order, as before; a row a step loaded as an ORM object is
updated through the ORM, which keeps that object current.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, text, update
from sqlalchemy.orm import Session

from clearance.store.deferred import defer
from clearance.store.tables import Declaration as DeclarationRow
from core.db import DriverStatement

_DECLARATIONS = cast(Table, DeclarationRow.__table__)
#: One row (SQLite: executemany of it).
_DECIDED = (
    update(_DECLARATIONS)
    .where(_DECLARATIONS.c.id == bindparam("row_id"))
    .values(
        lane=bindparam("lane"),
        decision=bindparam("decision"),
        status=bindparam("status"),
        updated_at=bindparam("updated_at"),
    )
)
#: Every row of a chunk in one statement (PostgreSQL): the values as parallel arrays.
_DECIDED_MANY = text(
    "UPDATE declarations AS d"
    " SET lane = v.lane, decision = v.decision, status = v.status, updated_at = v.updated_at"
    " FROM unnest(CAST(:row_ids AS bigint[]), CAST(:lanes AS text[]),"
    " CAST(:decisions AS text[]), CAST(:statuses AS text[]), CAST(:times AS timestamptz[]))"
    " AS v(id, lane, decision, status, updated_at)"
    " WHERE d.id = v.id"
)


def store_decided(
    session: Session,
    row_id: int,
    lane: str | None,
    decision: str | None,
    status: str,
    now: datetime,
) -> None:
    """Queue the decided values of declaration row ``row_id`` (written with the chunk)."""
    values = {
        "row_id": row_id,
        "lane": lane,
        "decision": decision,
        "status": status,
        "updated_at": now,
    }
    defer(session, _write, values)


def _write(session: Session, queued: list[Any]) -> None:
    """Write the queued values in order: runs of distinct rows nobody holds as objects
    together, the rest one by one."""
    run: list[dict[str, Any]] = []
    in_run: set[int] = set()
    identity_map = session.identity_map
    for values in queued:
        row_id = values["row_id"]
        # The identity key as Session.identity_key builds it (class, primary key, token),
        # without its mapper look-up per row.
        held = (DeclarationRow, (row_id,), None) in identity_map
        if held or row_id in in_run:
            _write_run(session, run)
            run, in_run = [], set()
        if held:
            # A step loaded the row (an amendment's original): the ORM keeps that object current.
            changes = {k: v for k, v in values.items() if k != "row_id"}
            statement = update(DeclarationRow).where(DeclarationRow.id == row_id)
            session.execute(statement.values(changes))
            continue
        run.append(values)
        in_run.add(row_id)
    _write_run(session, run)


def _write_run(session: Session, run: list[dict[str, Any]]) -> None:
    if not run:
        return
    # On the session's connection: Core statements built once (the ORM's per-call statement
    # building cost more than the UPDATE itself).
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        # The driver's executemany of the statement compiled once, the rows as tuples:
        # SQLAlchemy's executemany built and processed a parameter dictionary per row.
        _DRIVER_DECIDED.run(connection, run)
        return
    connection.execute(
        _DECIDED_MANY,
        {
            "row_ids": [v["row_id"] for v in run],
            "lanes": [v["lane"] for v in run],
            "decisions": [v["decision"] for v in run],
            "statuses": [v["status"] for v in run],
            "times": [v["updated_at"] for v in run],
        },
    )


#: :data:`_DECIDED` as the driver's SQL, compiled once per dialect.
_DRIVER_DECIDED = DriverStatement(_DECIDED)


__all__ = ["store_decided"]
