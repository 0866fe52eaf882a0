"""A large EDIFACT interchange is worked through a chunk of declarations at a time (issue 15):
the same answers, rows and events as when it is held whole, and still all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy import event as pool_events
from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome, InterchangeStatus, SubmissionOutcome
from clearance.intake import edifact_flow, edifact_scan
from clearance.intake import pipeline as pipeline_module
from clearance.intake.pipeline import Pipeline, ProcessingError
from clearance.lifecycle.registration import Registered
from clearance.store.schema import Base
from clearance.store.tables import Declaration, Event, InboundMessage, OutboundMessage
from core.settings import Settings
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import prepare  # noqa: E402
from day import one_interchange  # noqa: E402

pytestmark = pytest.mark.db

#: 23 declarations with a mix of releases, licences and certificates drawn, yellow and red.
DECLARATIONS = 23


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """What the interchange left in the store, without ids and times."""
    with Session(engine) as session:
        return {
            "declarations": [
                tuple(r)
                for r in session.execute(
                    select(
                        Declaration.number,
                        Declaration.status,
                        Declaration.lane,
                        Declaration.decision,
                        Declaration.message_reference,
                    ).order_by(Declaration.id)
                )
            ],
            "answers": [
                tuple(r)
                for r in session.execute(
                    select(
                        OutboundMessage.message_type,
                        OutboundMessage.message_reference,
                        OutboundMessage.control_reference,
                        OutboundMessage.content,
                    ).order_by(OutboundMessage.id)
                )
            ],
            "events": [
                tuple(r)
                for r in session.execute(
                    select(Event.kind, Event.declaration_number, Event.data).order_by(Event.id)
                )
            ],
        }


def _by_declaration(events: list[tuple[object, ...]]) -> dict[object, list[tuple[object, ...]]]:
    grouped: dict[object, list[tuple[object, ...]]] = {}
    for event in events:
        grouped.setdefault(event[1], []).append(event)
    return grouped


def _process(
    engine: Engine,
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
    kept: int = edifact_scan.KEPT,
    keep_up_to: int = edifact_scan.KEEP_UP_TO,
) -> SubmissionOutcome:
    monkeypatch.setattr(edifact_flow, "CHUNK", chunk)
    # What the scan keeps whole, and up to how many messages (the rest is read again).
    monkeypatch.setattr(edifact_scan, "KEPT", kept)
    monkeypatch.setattr(edifact_scan, "KEEP_UP_TO", keep_up_to)
    clock = prepare(engine)
    return Pipeline.standard(engine, Settings(), clock).submit(one_interchange(DECLARATIONS))


def _reset(engine: Engine) -> None:
    from tests.conftest import _truncate

    _truncate(engine, Base.metadata)


def _fresh(engine: Engine) -> None:
    """An empty store again: SQLite's file made anew, PostgreSQL's tables emptied."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        Path(str(engine.url.database)).unlink()
        from clearance.store.migrate import upgrade

        upgrade(engine)
    else:
        assert POSTGRES_URL is not None
        _reset(engine)


@pytest.mark.parametrize(
    ("kept", "keep_up_to"),
    [
        (edifact_scan.KEPT, edifact_scan.KEEP_UP_TO),  # all 23 kept by the scan
        (4, 1000),  # 4 kept, the rest read again from the fifth message
        (4, 8),  # past 8 messages none kept: everything read again
    ],
)
def test_chunks_of_declarations_give_what_the_whole_interchange_gives(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, kept: int, keep_up_to: int
) -> None:
    whole = _process(engine, 1000, monkeypatch)
    expected = _rows(engine)
    _fresh(engine)
    chunked = _process(engine, 4, monkeypatch, kept, keep_up_to)  # 5 full chunks and 3
    assert chunked.status is InterchangeStatus.ACCEPTED
    assert [d.to_json() for d in chunked.declarations] == [d.to_json() for d in whole.declarations]
    assert chunked.acknowledgement == whole.acknowledgement
    got = _rows(engine)
    assert got["declarations"] == expected["declarations"]
    assert got["answers"] == expected["answers"]
    # Held whole, every "registered" came before the first step's events; in chunks, a
    # chunk's do. Each declaration's own events are the same, in the same order.
    assert _by_declaration(got["events"]) == _by_declaration(expected["events"])
    statuses = {row[1] for row in got["declarations"]}
    assert "released" in statuses and len(got["declarations"]) == DECLARATIONS
    assert [a[0] for a in got["answers"]] == ["CONTRL"] + ["CUSRES"] * DECLARATIONS


def test_a_summary_outcome_keeps_the_decisions_and_stores_every_answer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edifact_flow, "CHUNK", 4)
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    pipeline.details = False
    outcome = pipeline.submit(one_interchange(DECLARATIONS))
    assert len(outcome.declarations) == DECLARATIONS
    assert all(d.number and d.lane and d.decision for d in outcome.declarations)
    assert all(d.response is None and d.items == [] for d in outcome.declarations)
    stored = _rows(engine)
    assert [a[0] for a in stored["answers"]] == ["CONTRL"] + ["CUSRES"] * DECLARATIONS
    numbers = [d.number for d in outcome.declarations]
    assert numbers == [row[0] for row in stored["declarations"]]


def test_a_failure_in_a_later_chunk_leaves_nothing_of_the_earlier_ones(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edifact_flow, "CHUNK", 4)
    clock = prepare(engine)
    seen: list[str] = []

    def fail_late(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
        seen.append(registered.number)
        if len(seen) == 10:  # in the third chunk: two chunks are written already
            raise RuntimeError("the database went away")

    pipeline = Pipeline(engine, Settings(), clock, [fail_late])
    with pytest.raises(ProcessingError, match="the database went away"):
        pipeline.submit(one_interchange(DECLARATIONS))
    with Session(engine) as session:
        assert session.scalars(select(Declaration)).all() == []
        assert session.scalars(select(OutboundMessage)).all() == []
        (message,) = session.scalars(select(InboundMessage)).all()
        assert message.status == "failed"
        kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
        assert kinds == ["received", "failed"]


@pytest.mark.parametrize("threshold", [1, 10**9])
def test_a_large_interchange_is_stored_on_a_connection_that_is_then_closed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    """The driver keeps a copy of the bytes it sent (SQLite's cached INSERT keeps the blob
    bound, libpq its output buffer): pooled, the connection would keep the interchange in
    memory while it is processed. From ``FRESH_CONNECTION_BYTES`` on it is closed instead."""
    monkeypatch.setattr(pipeline_module, "FRESH_CONNECTION_BYTES", threshold)
    closed: list[object] = []

    def on_close(dbapi_connection: object) -> None:
        closed.append(dbapi_connection)

    pool_events.listen(engine, "close_detached", on_close)
    try:
        clock = prepare(engine)
        outcome = Pipeline.standard(engine, Settings(), clock).submit(one_interchange(3))
    finally:
        pool_events.remove(engine, "close_detached", on_close)
    assert outcome.status is InterchangeStatus.ACCEPTED
    assert len(closed) == (1 if threshold == 1 else 0)  # the receiving unit's connection only
    with Session(engine) as session:
        (message,) = session.scalars(select(InboundMessage)).all()
        assert message.raw == one_interchange(3) and message.status == "accepted"
