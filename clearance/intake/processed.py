"""What processing records on the inbound message, written with one prebuilt UPDATE.

The unit of work that processes a message holds its ``inbound_messages`` row as an ORM
object (the claim locks and loads it) and sets what it learns on it: format, sender, type,
control reference, a duplicate's original, and at the end status, processing time and error.
Left to the ORM, that object is written by the flush at commit: a unit-of-work flush for one
row, about 0.5 ms of CPU per interchange on SQLite, more than the UPDATE itself (stop 23,
docs/throughput.md). :func:`write_processed` writes the same columns with a statement built
once and takes the object out of the session, so the flush at commit has nothing to do.

Every column processing may set is written with the object's current values; those it did not
change hold what the claim loaded, so the stored row is the one the ORM's UPDATE of the
changed columns stored.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from clearance.store.tables import InboundMessage
from core.db import DriverStatement

#: The columns processing sets (clearance/intake/*_flow.py, :class:`~.pipeline.Pipeline`).
COLUMNS = (
    "sender",
    "sender_alias",
    "format",
    "message_type",
    "control_reference",
    "status",
    "error",
    "processed_at",
    "duplicate_of",
)
_TABLE = cast(Table, InboundMessage.__table__)
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("message_id"))
    .values({name: bindparam(name) for name in COLUMNS})
)


def write_processed(session: Session, inbound: InboundMessage) -> None:
    """Write what processing set on ``inbound`` and let go of the object (it is not flushed
    again; it stays readable, detached)."""
    values = {name: getattr(inbound, name) for name in COLUMNS}
    values["message_id"] = inbound.id
    # On the session's connection (Session.execute would autoflush this very object first),
    # as the driver's SQL compiled once: a Core execution of it cost about 150 µs more.
    _DRIVER.run(session.connection(), values)
    session.expunge(inbound)


#: :data:`_UPDATE` as the driver's SQL, compiled once per dialect.
_DRIVER = DriverStatement(_UPDATE)


__all__ = ["COLUMNS", "write_processed"]
