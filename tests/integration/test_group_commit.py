"""Group commit (ADR 0006, stop 27): several small stored interchanges in one unit of work.

What must hold: a batch stores exactly what one-by-one processing stores (every table's rows
hashed, answers included); a failure inside any interchange of a batch leaves nothing of the
batch written, and each interchange is then processed alone with today's outcome; a second
copy of an interchange inside the same batch is its duplicate; one sender's files keep their
order through the mailbox. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from clearance.app import Application, mailbox
from clearance.app.queueing import process_messages
from clearance.flow.outcome import DeclarationOutcome, InterchangeStatus, SubmissionOutcome
from clearance.flow.steps import DeclarationStep
from clearance.intake.pipeline import (
    BATCH_BYTES,
    BatchItem,
    BatchRolledBackError,
    Pipeline,
    ProcessingError,
    batches,
    runs,
)
from clearance.lifecycle.registration import Registered
from clearance.store.schema import Base
from clearance.store.tables import Declaration, Event, InboundMessage, OutboundMessage
from core.db import make_engine
from core.settings import Settings
from tests.conftest import POSTGRES_URL, _truncate
from tests.golden_support import SAMPLES
from tests.offices_support import load_sample_offices
from tests.operations.support import mailbox_partner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import prepare, store_hash  # noqa: E402
from day import BROKERS, day  # noqa: E402

pytestmark = pytest.mark.db

#: The day's small interchanges (one and ten declarations, drawing on the same licences and
#: certificates across interchanges), a resend of the second one, a syntax error answered
#: with a CONTRL, and bytes that are no interchange at all.
DAY = day(40, sizes=((1, 0.5), (10, 0.5)))
FILES = [
    *DAY[:3],
    DAY[1],  # the same bytes again, in the same batch as the original: its duplicate
    (SAMPLES / "06-errors-d96b.edi").read_bytes(),
    b"not an interchange",
    *DAY[3:],
]


def _fresh(engine: Engine, tmp_path: Path, name: str) -> Engine:
    """An empty migrated store like ``engine`` (PostgreSQL: the same one, emptied)."""
    if engine.dialect.name == "postgresql":
        assert POSTGRES_URL is not None
        _truncate(engine, Base.metadata)
        load_sample_offices(engine)  # as the engine fixture left it
        return engine
    from clearance.store.migrate import upgrade

    other = make_engine(f"sqlite:///{tmp_path / f'{name}.db'}")
    upgrade(other)
    load_sample_offices(other)  # as the engine fixture left it
    return other


def _pipeline(engine: Engine, steps: Sequence[DeclarationStep] = ()) -> Pipeline:
    clock = prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), clock)
    pipeline.steps = [*pipeline.steps, *steps]
    return pipeline


def _one_by_one(pipeline: Pipeline, files: list[bytes]) -> list[object]:
    """Each file received, then processed alone (the stored path a mailbox sweep took)."""
    results: list[object] = []
    for raw in files:
        message_id = pipeline.receive(raw, filename=None, channel="mailbox")
        try:
            results.append(pipeline.process_stored(message_id))
        except ProcessingError as exc:
            results.append(exc)
    return results


def _batched(
    pipeline: Pipeline, files: list[bytes], limit: int, *, held: bool
) -> tuple[list[object], int]:
    """The files ``limit`` at a time in one unit each (falling back as the app layer does),
    from the bytes in hand (``held``) or read back from the store; the results and how many
    batches fell back."""
    results: list[object] = []
    fallbacks = 0
    for run in batches([len(raw) for raw in files], limit):
        ids = [pipeline.receive(files[i], filename=None, channel="mailbox") for i in run]
        items = [
            BatchItem(m, None, files[i] if held else None) for m, i in zip(ids, run, strict=True)
        ]
        try:
            results += pipeline.process_stored_batch(items)
        except BatchRolledBackError:
            fallbacks += 1
            results += _process_each(pipeline, ids)
    return results, fallbacks


def _process_each(pipeline: Pipeline, ids: list[int]) -> list[object]:
    results: list[object] = []
    for message_id in ids:
        try:
            results.append(pipeline.process_stored(message_id))
        except ProcessingError as exc:
            results.append(exc)
    return results


def _answers(results: list[object]) -> list[tuple[object, ...]]:
    """What each file was answered: status, acknowledgement, each declaration's response."""
    out: list[tuple[object, ...]] = []
    for result in results:
        if isinstance(result, ProcessingError):
            out.append(("failed", result.message_id, result.message))
            continue
        assert isinstance(result, SubmissionOutcome)
        ack = result.acknowledgement.text if result.acknowledgement else None
        responses = tuple((d.number, d.decision, d.response) for d in result.declarations)
        out.append((result.status.value, result.message_id, ack, responses))
    return out


def _decided(results: list[object]) -> list[tuple[object, ...]]:
    """The answers without the numbers drawn: status, and each declaration's lane and decision."""
    out: list[tuple[object, ...]] = []
    for result in results:
        if isinstance(result, ProcessingError):
            out.append(("failed", result.message))
            continue
        assert isinstance(result, SubmissionOutcome)
        out.append((result.status.value, tuple((d.lane, d.decision) for d in result.declarations)))
    return out


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _count(engine: Engine, model: type[object]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_batches_are_bounded_ordered_and_keep_a_large_file_alone() -> None:
    sizes = [10, 10, 10, BATCH_BYTES, 10, 10, 10, 10, 10, BATCH_BYTES - 1]
    runs = [list(r) for r in batches(sizes, 3)]
    assert runs == [[0, 1, 2], [3], [4, 5, 6], [7, 8, 9]]
    assert [list(r) for r in batches(sizes, 1)] == [[i] for i in range(len(sizes))]
    assert batches([], 10) == []


def test_runs_are_taken_lazily_and_an_item_alone_ends_the_run_before_it() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for item in range(7):
            taken.append(item)
            yield item

    handed = runs(items(), 3, lambda item: item == 4)
    assert next(handed) == [0, 1, 2]
    assert taken == [0, 1, 2]  # nothing read ahead of the run handed out
    assert next(handed) == [3]  # the run before the lone item, short
    assert next(handed) == [4]
    assert list(handed) == [[5, 6]]


@pytest.mark.parametrize(("limit", "held"), [(10, True), (10, False), (50, True)])
def test_a_batch_stores_and_answers_what_one_by_one_does(
    engine: Engine, tmp_path: Path, limit: int, held: bool
) -> None:
    alone = _one_by_one(_pipeline(engine), FILES)
    alone_hash = store_hash(engine)
    statuses = [r.status for r in alone if isinstance(r, SubmissionOutcome)]
    assert len(statuses) == len(FILES)  # nothing failed: the batches must not fall back
    assert InterchangeStatus.DUPLICATE in statuses and InterchangeStatus.REJECTED in statuses

    other = _fresh(engine, tmp_path, "batched")
    together, fallbacks = _batched(_pipeline(other), FILES, limit, held=held)

    assert fallbacks == 0
    assert _answers(together) == _answers(alone)
    assert store_hash(other) == alone_hash


def test_a_second_copy_inside_the_batch_is_answered_as_the_first_ones_duplicate(
    engine: Engine,
) -> None:
    pipeline = _pipeline(engine)
    files = [DAY[0], DAY[1], DAY[0]]
    ids = [pipeline.receive(r, filename=None, channel="mailbox") for r in files]
    outcomes = pipeline.process_stored_batch(
        [BatchItem(i, None, r) for i, r in zip(ids, files, strict=True)]
    )

    assert outcomes is not None
    first, _, copy = outcomes
    assert first is not None and copy is not None
    assert first.status is InterchangeStatus.ACCEPTED
    assert copy.status is InterchangeStatus.DUPLICATE
    assert copy.acknowledgement == first.acknowledgement  # the original CONTRL again
    assert [d.number for d in copy.declarations] == [d.number for d in first.declarations]
    with Session(engine) as session:
        stored = session.get(InboundMessage, ids[2])
        assert stored is not None and stored.duplicate_of == ids[0]
        # Registered once: the copy has no declaration of its own.
        assert (
            session.scalar(select(func.count()).where(Declaration.inbound_message_id == ids[2]))
            == 0
        )


class FailOn:
    """A declaration step that raises in the declarations of the ``k``-th message received."""

    def __init__(self) -> None:
        self.message_id: int | None = None
        self.raised = 0

    def __call__(
        self, session: Session, registered: Registered, outcome: DeclarationOutcome
    ) -> None:
        # A Core read: nothing loaded into the session that the rest might see.
        message_id = session.execute(
            select(Declaration.inbound_message_id).where(Declaration.id == registered.id)
        ).scalar()
        if message_id == self.message_id:
            self.raised += 1
            raise RuntimeError("injected failure")


@pytest.mark.parametrize(("k", "held"), [(0, False), (4, True)])
def test_a_failure_in_the_kth_interchange_rolls_back_the_batch_and_each_runs_alone(
    engine: Engine, tmp_path: Path, k: int, held: bool
) -> None:
    files = DAY[:8]
    failing = FailOn()
    pipeline = _pipeline(engine, [failing])
    ids = [pipeline.receive(raw, filename=None, channel="mailbox") for raw in files]
    failing.message_id = ids[k]

    items = [BatchItem(i, None, raw if held else None) for i, raw in zip(ids, files, strict=True)]
    with pytest.raises(BatchRolledBackError) as rolled_back:
        pipeline.process_stored_batch(items)
    # The failure is carried as the cause, for the caller's log line.
    assert isinstance(rolled_back.value.__cause__, RuntimeError)
    assert str(rolled_back.value.__cause__) == "injected failure"
    # Nothing of the batch was written: every message is still as received, nothing else.
    with Session(engine) as session:
        statuses = session.scalars(select(InboundMessage.status).order_by(InboundMessage.id))
        assert list(statuses) == ["received"] * len(files)
    assert _count(engine, Declaration) == 0
    assert _count(engine, OutboundMessage) == 0
    assert _count(engine, Event) == len(files)  # the receipts' own events only

    each = _process_each(pipeline, ids)
    assert [isinstance(r, ProcessingError) for r in each] == [i == k for i in range(len(ids))]
    batched_hash, batched_counts = store_hash(engine), _counts(engine)

    # Exactly what one-by-one processing of the same files gives, the failure included.
    other = _fresh(engine, tmp_path, "alone")
    again = FailOn()
    alone_pipeline = _pipeline(other, [again])
    alone_ids = [alone_pipeline.receive(raw, filename=None, channel="mailbox") for raw in files]
    again.message_id = alone_ids[k]
    alone = _process_each(alone_pipeline, alone_ids)
    if engine.dialect.name == "sqlite":
        assert _answers(each) == _answers(alone)
        assert store_hash(other) == batched_hash
    else:
        # PostgreSQL's numbers are sequences: the rolled-back batch drew declaration numbers
        # and control references that are never given again (ADR 0013, "may have gaps"), so
        # the same outcomes carry later numbers than one by one.
        assert _decided(each) == _decided(alone)
        assert _counts(other) == batched_counts


def _app(engine: Engine, settings: Settings) -> Application:
    """An application over ``engine`` holding the day's reference data."""
    return Application(engine, settings, prepare(engine))


def test_the_app_layer_falls_back_to_one_by_one_after_a_failed_batch(engine: Engine) -> None:
    app = _app(engine, Settings())
    failing = FailOn()
    app.pipeline.steps = [*app.pipeline.steps, failing]
    ids = [app.pipeline.receive(raw, filename=None, channel="mailbox") for raw in DAY[:4]]
    failing.message_id = ids[2]

    with capture_logs() as logs:
        results = process_messages(app, [(i, None) for i in ids])

    # The operator is told that the batch fell back, and why.
    (fell_back,) = [e for e in logs if e["event"] == "batch rolled back, processed one by one"]
    assert fell_back["log_level"] == "warning"
    assert fell_back["message_ids"] == ids
    assert (fell_back["error_type"], fell_back["error"]) == ("RuntimeError", "injected failure")
    assert [type(r).__name__ for r in results] == [
        "SubmissionOutcome",
        "SubmissionOutcome",
        "ProcessingError",
        "SubmissionOutcome",
    ]
    with Session(engine) as session:
        statuses = session.scalars(select(InboundMessage.status).order_by(InboundMessage.id))
        assert list(statuses) == ["accepted", "accepted", "failed", "accepted"]


def _drop(root: Path, sender: str, name: str, content: bytes) -> None:
    inbox = root / sender / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(content)
    a_minute_ago = time.time() - 60  # written completely a while ago: it has settled
    os.utime(inbox / name, (a_minute_ago, a_minute_ago))


def test_the_mailbox_batches_a_senders_files_in_order_and_a_large_one_alone(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "mailbox"
    settings = Settings(mailbox_root=root, mailbox_batch=3)
    app = _app(engine, settings)
    mailbox_partner(app, *BROKERS)  # the day's files come from every broker
    large = DAY[0] + b" " * BATCH_BYTES  # the same interchange, padded past the limit
    names = ["a.edi", "b.edi", "c.edi", "d.edi", "e.edi", "f.edi"]
    # b is a resend of a: it must come after a (its duplicate), never before.
    contents = [DAY[0], DAY[0], DAY[1], large, DAY[2], DAY[3]]
    for name, content in zip(names, contents, strict=True):
        _drop(root, "BROKER01", name, content)
    seen: list[list[int]] = []
    batch = app.pipeline.process_stored_batch
    stored = app.pipeline.process_stored

    def recording_batch(
        messages: Sequence[BatchItem],
    ) -> list[SubmissionOutcome | None]:
        seen.append([m.message_id for m in messages])
        assert all(m.raw is not None for m in messages)  # the small files' bytes in hand
        return batch(messages)

    def recording_alone(message_id: int, senders: frozenset[str] | None = None) -> object:
        seen.append([message_id])
        return stored(message_id, senders)

    monkeypatch.setattr(app.pipeline, "process_stored_batch", recording_batch)
    monkeypatch.setattr(app.pipeline, "process_stored", recording_alone)

    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")

    folder = root / "BROKER01"
    assert [Path(p).name for p in taken] == names
    # Received in name order (ids 1..6), processed three at a time, the large one alone.
    assert seen == [[1, 2, 3], [4], [5, 6]]
    with Session(engine) as session:
        rows = session.execute(
            select(
                InboundMessage.filename, InboundMessage.status, InboundMessage.duplicate_of
            ).order_by(InboundMessage.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("a.edi", "accepted", None),
        ("b.edi", "duplicate", 1),
        ("c.edi", "accepted", None),
        ("d.edi", "rejected", None),  # a's reference with other bytes: answered, filed failed
        ("e.edi", "accepted", None),
        ("f.edi", "accepted", None),
    ]
    assert (folder / "done" / "b.edi.ack").read_bytes() == (
        folder / "done" / "a.edi.ack"
    ).read_bytes()


def test_a_failed_mailbox_batch_files_each_file_as_one_by_one_would(
    engine: Engine, tmp_path: Path
) -> None:
    root = tmp_path / "mailbox"
    app = _app(engine, Settings(mailbox_root=root))
    mailbox_partner(app, *BROKERS)  # the day's files come from every broker
    failing = FailOn()
    failing.message_id = 2  # the second file received
    app.pipeline.steps = [*app.pipeline.steps, failing]
    for name, content in zip(["a.edi", "b.edi", "c.edi"], DAY[:3], strict=True):
        _drop(root, "BROKER01", name, content)

    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")

    folder = root / "BROKER01"
    assert taken == [
        str(folder / "done" / "a.edi"),
        str(folder / "failed" / "b.edi"),
        str(folder / "done" / "c.edi"),
    ]
    assert "injected failure" in (folder / "failed" / "b.edi.error").read_text()
    assert failing.raised == 2  # in the batch, then alone
