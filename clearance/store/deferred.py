"""Rows the declaration steps write later: one multi-row INSERT per table and interchange.

A declaration step runs once per declaration, and one single-row INSERT per declaration and
table (assessment, decision, manifest wait) cost more than the steps' own work. Rows nobody
reads back while the interchange is processed are therefore queued on the session
(``session.info``) and written together by :func:`write_deferred`, which the channel flow calls
in :meth:`clearance.intake.channel.Work.write`; ids still follow the order the declarations were
processed in. A reader of such a table inside the same unit of work calls
:func:`write_deferred` first. As a safety net, a session writes what is still queued before it
commits (steps run outside a channel flow lose nothing).

The queue belongs to the session's current (root) transaction: after a rollback nothing queued
is ever written, and :func:`transaction_cache` gives the steps per-transaction caches with the
same lifetime, so nothing seen in a rolled-back transaction is trusted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from clearance.store.bulk import insert_rows

#: ``write(session, items)``: inserts every queued item of one kind, in the order queued.
Writer = Callable[[Session, list[Any]], None]

_QUEUE = "deferred.inserts"


def transaction_cache(session: Session, name: str) -> dict[Any, Any]:
    """A dict on ``session`` that lives as long as its current root transaction."""
    transaction = session.get_transaction()
    held = session.info.get(name)
    if held is None or held[0] is not transaction:
        held = session.info[name] = (transaction, {})
    cached: dict[Any, Any] = held[1]
    return cached


def defer(session: Session, write: Writer, item: Any) -> None:
    """Queue ``item`` for ``write`` until the interchange's rows are written."""
    transaction_cache(session, _QUEUE).setdefault(write, []).append(item)


def defer_row(session: Session, model: type[Any], row: dict[str, Any]) -> None:
    """Queue one plain row of ``model``'s table (written with one multi-row INSERT)."""
    defer(session, row_writer(model), row)


def discard(session: Session, write: Writer, drop: Callable[[Any], bool]) -> None:
    """Forget the queued items of ``write`` for which ``drop`` is true."""
    queue = transaction_cache(session, _QUEUE)
    if write in queue:
        queue[write] = [item for item in queue[write] if not drop(item)]


def write_deferred(session: Session) -> None:
    """Write everything queued on ``session``, kind by kind in the order first queued."""
    queue = transaction_cache(session, _QUEUE)
    while queue:  # items leave the queue before they are written: never written twice
        write = next(iter(queue))
        items = queue.pop(write)
        if items:
            write(session, items)


def row_writer(model: type[Any]) -> Writer:
    """The writer of plain rows of ``model`` (one function per model, so rows group)."""
    write = _ROW_WRITERS.get(model)
    if write is None:

        def write(session: Session, rows: list[Any]) -> None:
            insert_rows(session, model, rows)

        _ROW_WRITERS[model] = write
    return write


_ROW_WRITERS: dict[type[Any], Writer] = {}


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    # Only the root commit: a savepoint's release is not the end of the unit of work.
    if session.info.get(_QUEUE) is not None and not session.in_nested_transaction():
        write_deferred(session)
