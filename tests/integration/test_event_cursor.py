"""A follower paging the event log with a cursor sees every event once, also while
several workers write at the same moment."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.intake.pipeline import Pipeline
from clearance.lifecycle.events import events_since
from clearance.store.tables import Event
from core.clock import FixedClock
from core.settings import Settings
from tests.concurrency import DEADLINE, Start, race_threads
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db


def test_follower_sees_every_event_once_under_concurrent_writers(
    engine: Engine, clock: FixedClock
) -> None:
    template = (SAMPLES / "01-import-d96b.edi").read_text()
    files = [template.replace("IC0000001", f"EV{n:07d}").encode() for n in range(24)]
    done = threading.Event()
    seen: list[int] = []

    def follow() -> None:
        cursor = 0
        while True:
            finished = done.is_set()  # read before the page, so the last page is complete
            with Session(engine) as session:
                page = events_since(session, cursor, limit=7)
            seen.extend(e.id for e in page)
            cursor = page[-1].id if page else cursor
            if finished and not page:
                return
            time.sleep(0.001)

    def write(chunk: list[bytes], start: Start) -> None:
        pipeline = Pipeline(engine, Settings(), clock)
        start()  # the four writers submit at the same moment
        for raw in chunk:
            pipeline.submit(raw)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    try:
        race_threads([partial(write, files[i::4]) for i in range(4)])
    finally:
        done.set()
    follower.join(DEADLINE)
    assert not follower.is_alive(), "the follower never reached the end of the log"
    with Session(engine) as session:
        stored = list(session.scalars(select(Event.id).order_by(Event.id)))
    assert len(stored) == 24 * 3  # received, syntax_accepted, registered per file
    assert stored == list(range(1, len(stored) + 1))  # gapless
    assert seen == stored  # every event, once, in order


def test_event_ids_follow_the_order_events_were_added(engine: Engine, clock: FixedClock) -> None:
    Pipeline(engine, Settings(), clock).submit(
        (SAMPLES / "03-multi-message-group-d96b.edi").read_bytes()
    )
    with Session(engine) as session:
        kinds = [e.kind for e in events_since(session, 0)]
    assert kinds == ["received", "syntax_accepted", "registered", "registered", "registered"]


def test_a_declaration_life_reads_in_order_through_the_standard_steps(
    engine: Engine, clock: FixedClock
) -> None:
    from clearance.assessment import tariff_store
    from tests.golden_support import SAMPLES as EDIFACT

    with Session(engine) as session:
        extract = EDIFACT.parent / "tariffs" / "cn-extract.jsonl"
        tariff_store.load_file(session, extract, clock.now())
        session.commit()
    outcome = Pipeline.standard(engine, Settings(), clock).submit(
        (EDIFACT / "01-import-d96b.edi").read_bytes()
    )
    number = outcome.declarations[0].number
    with Session(engine) as session:
        kinds = [e.kind for e in events_since(session, 0) if e.declaration_number == number]
    assert kinds[:3] == ["registered", "assessed", "lane_assigned"]
