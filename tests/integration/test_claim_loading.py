"""The claim loads the message as the ORM's SELECT would (SQLite reads it on the driver).

On SQLite :func:`clearance.intake.claims.claim` reads the row with the driver's SQL and puts
the object into the session as loaded (ADR 0006, stop 25); elsewhere, or in a session that
already holds objects, the ORM's SELECT loads it. Either way the caller gets the same object:
every column's value and type, nothing pending, the raw bytes read only when asked for.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.orm import Session, defer

from clearance.intake.claims import NotRetryableError, claim
from clearance.intake.pipeline import Pipeline
from clearance.store.tables import InboundMessage
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

_COLUMNS = [c.key for c in InboundMessage.__table__.c if c.key != "raw"]


def _stored(engine: Engine, clock: FixedClock) -> int:
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    pipeline = Pipeline(engine, Settings(), clock)
    return pipeline.receive(raw, sender="CLAIMTEST", filename="a.edi", channel="file")


def test_the_claim_loads_what_the_orm_loads(engine: Engine, clock: FixedClock) -> None:
    message_id = _stored(engine, clock)
    with Session(engine) as orm:
        query = select(InboundMessage).where(InboundMessage.id == message_id)
        expected = orm.scalars(query.options(defer(InboundMessage.raw))).one()
        values = {key: getattr(expected, key) for key in _COLUMNS}
        raw = orm.scalars(select(InboundMessage.raw).where(InboundMessage.id == message_id)).one()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session:
        inbound = claim(session, message_id, clock.now(), Settings(), retrying=False)
        claimed = len(statements)
        assert {key: getattr(inbound, key) for key in _COLUMNS} == values
        assert [type(getattr(inbound, k)) for k in _COLUMNS] == [type(v) for v in values.values()]
        state = inspect(inbound)
        assert state.persistent and not session.dirty and not session.new
        assert "raw" in state.unloaded and claimed == len(statements)
        assert inbound.raw == raw  # read on access, as a deferred column is
        inbound.status = "processed"
        assert session.dirty  # changes are tracked as on a loaded object
        session.flush()
        session.commit()
    with Session(engine) as session:
        assert session.get(InboundMessage, message_id).status == "processed"  # type: ignore[union-attr]
        with pytest.raises(NotRetryableError):
            claim(session, message_id, clock.now(), Settings(), retrying=False)
