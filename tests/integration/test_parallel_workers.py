"""Four real worker processes over one PostgreSQL store (issue 15, ADR 0013): every
declaration registered once under a number of its own, no ledger over its allowance, the event
log gapless."""

from __future__ import annotations

import multiprocessing
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.store.control_tables import LedgerEntry, LedgerHead
from clearance.store.tables import Declaration, Event, InboundMessage
from rules.ledger import Allowance, Balance, Entry, EntryKind, Holding

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.db
PROCESSES = 4


def _worker(url: str, files: list[bytes]) -> None:
    from clearance.intake.pipeline import Pipeline
    from core.clock import FixedClock
    from core.db import make_engine
    from core.settings import Settings

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from day import INSTANT

    engine = make_engine(url)
    pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
    for raw in files:
        pipeline.submit(raw)
    engine.dispose()


def test_four_workers_register_each_declaration_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("parallel workers are a PostgreSQL deployment")
    from bench_store import prepare
    from day import day

    prepare(engine)
    files = day(240, sizes=((1, 0.25), (10, 0.75)))
    url = engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_worker, args=(url, files[i::PROCESSES])) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    expected = sum(raw.count(b"UNH+") for raw in files)
    with Session(engine) as session:
        numbers = list(session.scalars(select(Declaration.number)))
        statuses = set(session.scalars(select(InboundMessage.status)))
        ids = list(session.scalars(select(Event.id).order_by(Event.id)))
        heads = session.scalars(select(LedgerHead)).all()
        sums = session.execute(
            select(LedgerEntry.head_id, LedgerEntry.kind, func.sum(LedgerEntry.quantity)).group_by(
                LedgerEntry.head_id, LedgerEntry.kind
            )
        ).all()
    assert len(numbers) == expected and len(set(numbers)) == expected
    assert statuses == {"accepted"}
    assert ids == list(range(1, len(ids) + 1))
    held: dict[int, Holding] = {}
    for head_id, kind, quantity in sums:
        entry = Entry(EntryKind(kind), "", Decimal(quantity))
        held[head_id] = held.get(head_id, Holding()).apply(entry)
    assert heads and sums
    for head in heads:
        allowance = Allowance(head.quantity, head.unit, Decimal(head.tolerance), head.max_uses)
        assert Balance(allowance, held.get(head.id, Holding())).can_draw(Decimal(0)), head.key
