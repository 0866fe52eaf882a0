"""Intake that ends well (issue 15): a killed submit, racing retries, a cut-off transfer, and
a size limit per channel. On SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Application, ConflictError
from clearance.app import messages as message_cases
from clearance.flow.outcome import DeclarationOutcome, InterchangeStatus, SubmissionOutcome
from clearance.intake.claims import NotRetryableError
from clearance.intake.pipeline import Pipeline, ProcessingError
from clearance.lifecycle.registration import Registered
from clearance.store.tables import Declaration, Event, InboundMessage, InterchangeKey
from core.clock import FixedClock, SystemClock
from core.settings import Settings
from tests.concurrency import DEADLINE
from tests.golden_support import SAMPLES
from tests.intake_support import kill_during_submit

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_01 = SAMPLES / "01-import-d96b.edi"
X12_309 = ROOT / "samples" / "x12" / "01-manifest-v123e-4010.x12"


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def event_kinds(engine: Engine, message_id: int) -> list[str]:
    with Session(engine) as session:
        query = select(Event.kind).where(Event.inbound_message_id == message_id)
        return list(session.scalars(query.order_by(Event.id)))


def message(engine: Engine, message_id: int) -> InboundMessage:
    with Session(engine) as session:
        row = session.get(InboundMessage, message_id)
        assert row is not None
        session.expunge(row)
        return row


def test_a_submit_killed_mid_message_is_listed_as_stuck_and_retried_once(engine: Engine) -> None:
    kill_during_submit(engine, SAMPLE_01)
    with Session(engine) as session:
        (stuck,) = session.scalars(select(InboundMessage)).all()
        assert stuck.status == "received" and stuck.raw == SAMPLE_01.read_bytes()
    assert count(engine, Declaration) == 0 and count(engine, InterchangeKey) == 0

    # Just arrived, it may still be being processed: not listed, not retried.
    patient = Application(engine, Settings(stuck_after_seconds=3600), SystemClock())
    assert message_cases.list_stuck(patient, LOCAL_OPERATOR) == []
    with pytest.raises(ConflictError, match="may still be being processed"):
        message_cases.retry(patient, LOCAL_OPERATOR, stuck.id)

    # An hour later it is stuck: listed, and a retry processes it, once.
    later = FixedClock(SystemClock().now() + timedelta(hours=2))
    app = Application(engine, Settings(stuck_after_seconds=3600), later)
    (listed,) = message_cases.list_stuck(app, LOCAL_OPERATOR)
    assert (listed.message_id, listed.status) == (stuck.id, "received")
    outcome = message_cases.retry(app, LOCAL_OPERATOR, stuck.id)
    assert outcome.status is InterchangeStatus.ACCEPTED
    # PostgreSQL: the killed unit drew ...0001 from the sequence, a gap nobody was told of.
    expected = "220120261000000002" if engine.dialect.name == "postgresql" else "220120261000000001"
    assert [d.number for d in outcome.declarations] == [expected]
    assert message_cases.list_stuck(app, LOCAL_OPERATOR) == []
    assert message(engine, stuck.id).status == "accepted"
    assert count(engine, Declaration) == 1
    with pytest.raises(ConflictError, match="only failed messages are retried"):
        message_cases.retry(app, LOCAL_OPERATOR, stuck.id)


def _failed_message(engine: Engine, clock: FixedClock) -> int:
    def explode(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
        raise RuntimeError("tariff service unavailable")

    with pytest.raises(ProcessingError) as failure:
        Pipeline(engine, Settings(), clock, [explode]).submit(SAMPLE_01.read_bytes())
    return failure.value.message_id


def _sqlite_begins(engine: Engine) -> Callable[[], set[int]]:
    """Threads seen asking SQLite for its write lock (``BEGIN IMMEDIATE``), as they ask."""
    seen: set[int] = set()

    def on_statement(_conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if statement == "BEGIN IMMEDIATE":
            seen.add(threading.get_ident())

    event.listen(engine, "before_cursor_execute", on_statement)
    return lambda: set(seen)


def test_three_concurrent_retries_process_a_message_exactly_once(
    engine: Engine, clock: FixedClock
) -> None:
    message_id = _failed_message(engine, clock)
    inside, release = threading.Event(), threading.Event()

    def held(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
        inside.set()  # the first retry is processing, its unit of work open
        assert release.wait(DEADLINE)

    results: dict[str, SubmissionOutcome | BaseException] = {}

    def retry(name: str, pipeline: Pipeline) -> None:
        try:
            results[name] = pipeline.retry(message_id)
        except BaseException as exc:
            results[name] = exc

    first = threading.Thread(
        target=retry, args=("first", Pipeline(engine, Settings(), clock, [held]))
    )
    first.start()
    assert inside.wait(DEADLINE)
    begins = _sqlite_begins(engine) if engine.dialect.name == "sqlite" else None
    others = [
        threading.Thread(target=retry, args=(name, Pipeline(engine, Settings(), clock, [])))
        for name in ("second", "third")
    ]
    for thread in others:
        thread.start()
    # The other two retry while the first still holds the message: on PostgreSQL they are
    # refused at once (the row is locked); on SQLite they wait for the writer's lock.
    end = time.monotonic() + DEADLINE
    while not all(not t.is_alive() or (begins is not None and t.ident in begins()) for t in others):
        assert time.monotonic() < end, "the other retries neither ended nor waited"
        time.sleep(0.01)  # polling an observable state; the deadline is the safety net
    release.set()
    for thread in (first, *others):
        thread.join(DEADLINE)
    assert isinstance(results["first"], SubmissionOutcome), results["first"]
    assert results["first"].status is InterchangeStatus.ACCEPTED
    for name in ("second", "third"):
        refused = results[name]
        assert isinstance(refused, NotRetryableError), refused
        assert "being processed" in refused.message or "is accepted" in refused.message
    row = message(engine, message_id)
    assert (row.status, row.duplicate_of) == ("accepted", None)
    assert count(engine, Declaration) == 1
    kinds = event_kinds(engine, message_id)
    assert "duplicate" not in kinds and kinds.count("syntax_accepted") == 1


def test_a_transfer_cut_off_half_way_does_not_block_the_complete_resend(
    engine: Engine, clock: FixedClock
) -> None:
    raw = SAMPLE_01.read_bytes()
    pipeline = Pipeline(engine, Settings(), clock, [])
    cut = pipeline.submit(raw[: len(raw) // 2])
    assert cut.status is InterchangeStatus.REJECTED
    assert count(engine, InterchangeKey) == 0  # the reference is the sender's again
    complete = pipeline.submit(raw)
    assert complete.status is InterchangeStatus.ACCEPTED, complete.to_json()
    assert [d.number for d in complete.declarations] == ["220120261000000001"]
    again = pipeline.submit(raw)  # an accepted interchange keeps its reference
    assert again.status is InterchangeStatus.DUPLICATE
    assert count(engine, Declaration) == 1


def test_a_cut_off_x12_manifest_does_not_block_the_complete_resend(
    engine: Engine, clock: FixedClock
) -> None:
    raw = X12_309.read_bytes()
    pipeline = Pipeline(engine, Settings(), clock, [])
    cut = pipeline.submit(raw[: int(len(raw) * 0.6)])
    assert cut.status is InterchangeStatus.REJECTED
    complete = pipeline.submit(raw)
    assert complete.status is InterchangeStatus.ACCEPTED, complete.to_json()
    assert len(complete.manifests) == 1


_SMALLEST = {
    "edifact": (b"UNB+", "CUSTOMS_MAX_EDIFACT_BYTES"),
    "x12": (b"ISA*", "CUSTOMS_MAX_X12_BYTES"),
    "xml": (b"<?xml ", "CUSTOMS_MAX_XML_BYTES"),
    "json": (b"{", "CUSTOMS_MAX_JSON_BYTES"),
}


@pytest.mark.parametrize("fmt", sorted(_SMALLEST))
def test_every_channel_rejects_a_file_over_its_size_limit(
    engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    head, variable = _SMALLEST[fmt]
    monkeypatch.setenv(variable, "1000")
    pipeline = Pipeline(engine, Settings(), clock, [])
    raw = head + b" " * (1001 - len(head))
    outcome = pipeline.submit(raw)
    assert outcome.status is InterchangeStatus.REJECTED
    assert outcome.format == fmt
    (error,) = outcome.errors
    assert error.code == "size"
    assert "1001 bytes" in error.text and "1000 bytes" in error.text and variable in error.text
    row = message(engine, outcome.message_id)
    assert row.raw == raw and row.status == "rejected"  # kept, as every file is
    assert event_kinds(engine, outcome.message_id) == ["received", "syntax_rejected"]
    at_limit = pipeline.submit(raw[:1000])  # not refused for its size (but for its content)
    assert all(e.code != "size" for e in at_limit.errors)


def test_a_declaration_over_the_limit_registers_nothing(
    engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = SAMPLE_01.read_bytes()
    monkeypatch.setenv("CUSTOMS_MAX_EDIFACT_BYTES", str(len(raw) - 1))
    outcome = Pipeline(engine, Settings(), clock, []).submit(raw)
    assert [e.code for e in outcome.errors] == ["size"]
    assert count(engine, Declaration) == 0 and count(engine, InterchangeKey) == 0
    monkeypatch.setenv("CUSTOMS_MAX_EDIFACT_BYTES", str(len(raw)))
    resend = Pipeline(engine, Settings(), clock, []).submit(raw)
    assert resend.status is InterchangeStatus.ACCEPTED


def test_retry_of_an_unprocessed_message_by_a_racing_pipeline_is_refused(
    engine: Engine, clock: FixedClock
) -> None:
    message_id = _failed_message(engine, clock)
    Pipeline(engine, Settings(), clock, []).retry(message_id)
    with pytest.raises(NotRetryableError, match="is accepted"):
        Pipeline(engine, Settings(), clock, []).retry(message_id)
    assert count(engine, Declaration) == 1
