"""Lookups by message and by declaration use an index, not a scan of the whole history
(migration 0019; benchmarks/history_bench.py found them scanning at 10,000 stored declarations
and more)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

pytestmark = pytest.mark.db

#: The lookups of intake (a resend answered again, a rejected file giving its reference back)
#: and of reading a submission or a declaration back, as the code issues them.
LOOKUPS = {
    "declarations of a message": (
        "SELECT number FROM declarations WHERE inbound_message_id = 7 ORDER BY id",
        "ix_declarations_inbound_message_id",
    ),
    "key of a rejected message": (
        "DELETE FROM interchange_keys WHERE inbound_message_id = 7",
        "ix_interchange_keys_inbound_message_id",
    ),
    "answers of a declaration": (
        "SELECT id, content FROM outbound_messages WHERE declaration_id = 7 ORDER BY id",
        "ix_outbound_messages_declaration_id",
    ),
    "refusal code of a message": (
        "SELECT data FROM events WHERE inbound_message_id = 7 "
        "AND kind = 'syntax_rejected' ORDER BY id DESC LIMIT 1",
        "ix_events_inbound_message_id",
    ),
}


def _plan(engine: Engine, statement: str) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # An empty table is scanned whatever its indexes: forbid scans the planner can
            # avoid, so that a plan still scanning means there is no index to use.
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            rows = [str(r) for r in conn.execute(text(f"EXPLAIN {statement}")).scalars()]
        else:
            rows = [str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {statement}"))]
        plan = "\n".join(rows)
        conn.rollback()
    return plan


@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_lookup_uses_its_index(engine: Engine, lookup: str) -> None:
    statement, index = LOOKUPS[lookup]
    plan = _plan(engine, statement)
    # The index by name: a backward scan of the primary key (the refusal code's ORDER BY id
    # DESC) would also avoid a "Seq Scan" and still read the whole log.
    assert index in plan, plan
