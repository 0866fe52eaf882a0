"""Asynchronous intake: store the raw bytes, queue one job, let a worker process it.

Every front door (``customs submit --queue``, the HTTP API, the mailbox) calls
:func:`enqueue`. On PostgreSQL the job goes on the procrastinate queue and any number of
``customs worker`` processes take it; on the SQLite embedded store the same task body
(:func:`process_message`) runs at once in the calling process, so nothing else is needed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import procrastinate
from sqlalchemy import select

from clearance.app import messages
from clearance.app.access import (
    Permission,
    messages_visible,
    require,
    visible_message,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError, StoreUnavailableError
from clearance.app.identity import submitter_senders
from clearance.app.messages import Interchange
from clearance.app.monitoring import JOB_FAILURES, observe_outcome, store_fault_seen
from clearance.app.tenant_scope import scope_session
from clearance.app.views import MessageSummary
from clearance.flow.outcome import SubmissionOutcome
from clearance.intake.pipeline import BATCH_BYTES as BATCH_BYTES
from clearance.intake.pipeline import BatchItem, BatchRolledBackError, ProcessingError
from clearance.intake.pipeline import runs as runs
from clearance.queueing.engine import queue_app, uses_queue
from clearance.queueing.jobs import (
    PROCESS_MESSAGE,
    QueueState,
    defer_message,
    pending_message_ids,
    queue_states,
)
from clearance.queueing.sender_key import ordering_lock
from clearance.store.tables import InboundMessage
from core.clock import as_utc
from core.logs import bound, get_logger

log = get_logger("clearance.queueing")


@dataclass(frozen=True, slots=True)
class Queued:
    """A submission taken in: its stored message, and its job or (in process) its outcome."""

    message_id: int
    #: The queued job (PostgreSQL); None when processed in process or already queued.
    job_id: int | None
    #: The outcome when the message was processed in process (SQLite), else None.
    outcome: SubmissionOutcome | None


def enqueue(
    app: Application, actor: Actor, interchange: Interchange, *, run_now: bool = False
) -> Queued:
    """Store the raw bytes (committed), then queue their processing as one job.

    The job keeps the sender's order (a queue lock per sender) and is queued at most once
    per message. On SQLite, and with ``run_now`` (a caller that is itself a queued job under
    the sender's lock, like the mailbox), the message is processed at once by
    :func:`process_message`.
    """
    messages.require_submit(actor, interchange)
    try:
        with app.guard():
            message_id = _receive(app, actor, interchange)
            if run_now or not uses_queue(app.engine):
                return Queued(message_id, None, process_message(app, message_id))
            lock = ordering_lock(interchange.sender, interchange.content)
            job_id = defer_message(app.engine, deferring_app(app), message_id, lock)
    except StoreUnavailableError as exc:
        # Nothing taken in (the bytes were not committed), or taken in and not yet queued:
        # then the worker's sweep queues the ``received`` message later. Either way the
        # caller is told to send again later (HTTP 503 with Retry-After).
        store_fault_seen(exc, "intake")
        raise
    log.info(
        "message queued",
        message_id=message_id,
        conversation_id=str(message_id),
        job_id=job_id,
        sender=interchange.sender,
        channel=interchange.channel,
    )
    return Queued(message_id, job_id, None)


def receive(app: Application, actor: Actor, interchange: Interchange) -> int:
    """Store the raw bytes (committed, durable) and return the message id; nothing queued.

    For a caller that is itself a job under the sender's lock and processes what it
    received at once, several at a time (the mailbox: :func:`process_messages`).
    """
    messages.require_submit(actor, interchange)
    return _store(app, actor, interchange)


def _store(app: Application, actor: Actor, interchange: Interchange) -> int:
    """The raw bytes committed (the caller has asked :func:`messages.require_submit`)."""
    try:
        with app.guard():
            return _receive(app, actor, interchange)
    except StoreUnavailableError as exc:
        store_fault_seen(exc, "intake")
        raise


def _receive(app: Application, actor: Actor, interchange: Interchange) -> int:
    return app.pipeline.receive(
        interchange.content,
        sender=interchange.sender,
        filename=interchange.filename,
        channel=interchange.channel,
        submitted_by=messages.submitter_of(actor),
    )


def take_in(app: Application, actor: Actor, interchange: Interchange) -> Queued:
    """Intake as the front door's store allows: queued on PostgreSQL, processed at once on SQLite.

    On SQLite the interchange is processed in one call exactly as :func:`messages.submit` does
    (the outcome comes back); on PostgreSQL the raw bytes are committed and one job is queued
    for the workers (:func:`enqueue`), and the caller follows the message by its id.
    """
    if not uses_queue(app.engine):
        outcome = messages.submit(app, actor, interchange)
        return Queued(outcome.message_id, None, outcome)
    return enqueue(app, actor, interchange)


def process_message(app: Application, message_id: int) -> SubmissionOutcome | None:
    """The task body: process stored message ``message_id`` once (None: already done).

    Raises :class:`clearance.intake.pipeline.ProcessingError` when processing failed (the
    message is then ``failed``; the queue tries again, then leaves it a dead letter), and
    :class:`StoreUnavailableError` (or ``StoreFullError``) when the store failed: the message
    stays ``received`` and the queue tries again, patiently, until the store is back.
    """
    started = time.perf_counter()
    # The submitting subject's senders as of now (issue 12): a revoked mandate or a disabled
    # subject between queueing and processing refuses the interchange.
    senders = submitter_senders(app, message_id)
    with bound(message_id=message_id, conversation_id=str(message_id)), app.guard():
        try:
            outcome = app.pipeline.process_stored(message_id, senders)
        except ProcessingError as exc:
            JOB_FAILURES.labels(PROCESS_MESSAGE).inc()
            log.error("message failed", error=exc.message)
            raise
        except StoreUnavailableError as exc:
            # The store's fault, not the message's: it stays ``received`` and its job is
            # tried again with back-off until the store is back (the worker's retry strategy).
            store_fault_seen(exc, "message", message_id=message_id, will_retry=True)
            raise
        _log_processed(outcome, time.perf_counter() - started)
        return outcome


#: One message's result in :func:`process_messages`: its outcome, None (already processed),
#: or the :class:`ProcessingError` it failed with (the message is then ``failed``).
Processed = SubmissionOutcome | ProcessingError | None


def process_messages(
    app: Application, messages: Sequence[tuple[int, bytes | None]]
) -> list[Processed]:
    """Process stored messages in one unit of work (group commit), else each alone.

    ``messages``: (message id, the bytes just received or None) in the order to process
    them; the caller holds that order (one sender's, the mailbox's job under the sender's
    lock) and has bounded the batch (:func:`clearance.intake.pipeline.batches`). Bytes given
    are processed as received (not read back from the store); a single message without them
    is processed by :func:`process_message` (a large interchange, read in pieces). The result
    per message is what :func:`process_message` gives it one by one: if anything in the
    batch failed, the batch was rolled back whole and every message is processed again alone
    through :func:`process_message`. A store failure there is raised, as there.
    """
    if len(messages) > 1 or any(raw is not None for _, raw in messages):
        started = time.perf_counter()
        batch = [BatchItem(i, submitter_senders(app, i), raw) for i, raw in messages]
        try:
            with app.guard():
                outcomes = app.pipeline.process_stored_batch(batch)
        except BatchRolledBackError as rolled_back:
            # Said with its cause: a batch that keeps falling back costs twice, and the
            # operator needs to know why (a failing file, a lost ledger race, the store).
            cause = rolled_back.__cause__
            log.warning(
                "batch rolled back, processed one by one",
                message_ids=[i for i, _ in messages],
                error_type=type(cause).__name__,
                error=str(cause),
            )
        else:
            seconds = (time.perf_counter() - started) / len(messages)
            for (message_id, _), outcome in zip(messages, outcomes, strict=True):
                _processed(message_id, outcome, seconds)
            return list(outcomes)
    results: list[Processed] = []
    for message_id, _ in messages:
        try:
            results.append(process_message(app, message_id))
        except ProcessingError as exc:
            results.append(exc)
    return results


def submit_batch(
    app: Application, actor: Actor, interchanges: Sequence[Interchange]
) -> list[SubmissionOutcome | ProcessingError]:
    """Several small files, in order: each received on its own (its bytes committed), then
    all processed in one unit of work from the bytes in hand (group commit, ADR 0006 stop
    27), else each alone; each file's outcome, or the :class:`ProcessingError` it failed with.

    What one-by-one :func:`messages.submit` gives each file is what this gives it (a batch in
    which anything failed is rolled back whole and run again file by file); only the event
    log's order differs (every receipt of the batch comes first). The caller bounds the batch
    (:func:`clearance.intake.pipeline.batches`: a large file goes through
    :func:`messages.submit` alone).
    """
    # Every file's permission first: a refusal (NotPermittedError) then leaves nothing of the
    # run received and never processed.
    for interchange in interchanges:
        messages.require_submit(actor, interchange)
    received = [
        (_store(app, actor, interchange), interchange.content) for interchange in interchanges
    ]
    results: list[SubmissionOutcome | ProcessingError] = []
    for result in process_messages(app, received):
        # None is "processed by an earlier run": nobody else knows these ids yet.
        assert result is not None
        results.append(result)
    return results


def _processed(message_id: int, outcome: SubmissionOutcome | None, seconds: float) -> None:
    """Count and log one message of a batch as :func:`process_message` does (``seconds``:
    its share of the batch)."""
    with bound(message_id=message_id, conversation_id=str(message_id)):
        _log_processed(outcome, seconds, batch=True)


def _log_processed(
    outcome: SubmissionOutcome | None, seconds: float, *, batch: bool = False
) -> None:
    """The metrics and the log line of one processed message (None: already processed)."""
    if outcome is None:
        log.info("message already processed")
        return
    observe_outcome(outcome, seconds)
    extra = {"batch": True} if batch else {}
    log.info(
        "message processed",
        status=outcome.status.value,
        format=outcome.format,
        sender=outcome.sender,
        declarations=[d.number for d in outcome.declarations if d.number],
        seconds=round(seconds, 4),
        **extra,
    )


def dead_letters(app: Application, actor: Actor, *, limit: int = 100) -> list[MessageSummary]:
    """Failed messages that nothing will try again: no job of theirs waits or runs.

    ``customs messages retry ID`` (or :func:`requeue`) processes one again.
    """
    require(actor, Permission.READ)
    with app.read() as session:
        pending = pending_message_ids(session.connection()) if uses_queue(app.engine) else set()
        # Row-level security armed after the queue's own table is read (the tenant role has
        # no grant on it): the messages below are then scoped twice, as every list is.
        scope_session(session, actor)
        rows = session.scalars(
            select(InboundMessage)
            .where(InboundMessage.status == "failed", messages_visible(actor))
            .order_by(InboundMessage.id)
            .limit(limit + len(pending))
        ).all()
        return [_summary(m) for m in rows if m.id not in pending][:limit]


def requeue(app: Application, actor: Actor, message_id: int) -> Queued:
    """Queue a dead letter (a failed message) again; in process on SQLite."""
    require(actor, Permission.RETRY)
    with app.read() as session:
        message = visible_message(session, actor, message_id)
        if message.status != "failed":
            raise RefusedError(
                f"message {message_id} is {message.status}; only failed messages are retried"
            )
        sender = None if message.sender == "UNKNOWN" else message.sender
        head = message.raw[:1024]
    with app.guard():
        if not uses_queue(app.engine):
            return Queued(message_id, None, process_message(app, message_id))
        job_id = defer_message(
            app.engine, deferring_app(app), message_id, ordering_lock(sender, head)
        )
    return Queued(message_id, job_id, None)


def queue_summary(app: Application, actor: Actor) -> list[QueueState]:
    """Jobs waiting or running per queue, with the oldest one's age (empty on SQLite)."""
    require(actor, Permission.READ)
    if not uses_queue(app.engine):
        return []
    with app.read() as session:
        return queue_states(session.connection())


def deferring_app(app: Application) -> procrastinate.App:
    """The procrastinate app that queues jobs on the store's own connections."""
    return _deferring_app(app.engine.url.render_as_string(hide_password=False))


@lru_cache(maxsize=8)
def _deferring_app(url: str) -> procrastinate.App:
    return queue_app(url)  # never opened: jobs are deferred on the caller's connection


def _summary(m: InboundMessage) -> MessageSummary:
    return MessageSummary(
        message_id=m.id,
        received_at=as_utc(m.received_at).isoformat(),
        sender=m.sender,
        channel=m.channel,
        filename=m.filename,
        format=m.format,
        message_type=m.message_type,
        control_reference=m.control_reference,
        size=m.size,
        sha256=m.sha256,
        status=m.status,
        error=m.error,
        duplicate_of=m.duplicate_of,
        answers=0,
    )
