"""Named counters of the statistics (``stat_state``): the event cursor, the fact sequence."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clearance.store.statistics_tables import StatState

#: The last event id the facts include.
EVENT_CURSOR = "event-cursor"
#: The last change sequence number given to a fact (every insert or change takes the next).
FACT_SEQ = "fact-seq"


def read(session: Session, name: str) -> int:
    """The counter's value (0 before its first use)."""
    value = session.scalar(select(StatState.value).where(StatState.name == name))
    return 0 if value is None else int(value)


def lock(session: Session, name: str) -> int:
    """The counter's value, its row locked to the end of the transaction (created if new).

    Taking the event cursor's lock first makes two concurrent refreshes queue instead of
    counting the same events twice.
    """
    row = session.scalars(
        select(StatState).where(StatState.name == name).with_for_update()
    ).one_or_none()
    if row is None:
        session.add(StatState(name=name, value=0))
        session.flush()
        return 0
    return int(row.value)


def write(session: Session, name: str, value: int) -> None:
    """Set the counter (its row must exist: :func:`lock` it first)."""
    session.execute(update(StatState).where(StatState.name == name).values(value=value))


def take(session: Session, name: str, count: int) -> int:
    """Reserve ``count`` numbers of counter ``name``; the first of them is returned."""
    last = lock(session, name)
    write(session, name, last + count)
    return last + 1
