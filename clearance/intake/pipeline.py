"""One file in, answers out: receive, dedupe, parse, register, respond, commit once.

The raw bytes are committed on their own first, so nothing a trader sent is ever lost. All
the rest of the work for one interchange happens in one unit of work: it lands whole or not at
all. When it fails, the raw message is marked ``failed`` with the error and can be retried;
when the store itself failed (gone, disk full) the message keeps its state and the store's
error is raised (:meth:`Pipeline._failed`).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, defer

from clearance.assessment.step import TariffAssessment
from clearance.decisions import ControlsAndDecision, registry_store
from clearance.flow.outcome import ErrorReport, InterchangeStatus, SubmissionOutcome
from clearance.flow.senders import SenderRefusedError
from clearance.flow.steps import DeclarationStep, FlowContext
from clearance.intake.claims import (
    NotRetryableError,
    UnknownMessageError,
    claim,
    refuse_unless_retryable,
)
from clearance.intake.collector import settle_long_lived
from clearance.intake.edifact_flow import process_edifact
from clearance.intake.json_flow import process_json
from clearance.intake.limits import oversize_problem
from clearance.intake.partners import profiles_for
from clearance.intake.processed import write_processed
from clearance.intake.refusals import refusal_acknowledgement
from clearance.intake.x12_flow import process_x12
from clearance.intake.xml_flow import process_xml
from clearance.ledgers.deferral import ATTEMPTS as LEDGER_ATTEMPTS
from clearance.ledgers.deferral import LedgerRaceError, defer_locks
from clearance.lifecycle.events import EventKind, append_event
from clearance.manifests.reconciliation import ManifestReconciliation
from clearance.store.bulk import insert_rows_returning_ids
from clearance.store.raw_pieces import StoredRaw
from clearance.store.tables import InboundMessage
from core.clock import Clock, SystemClock
from core.db import UnitOfWork, session_factory, store_error
from core.errors import CustomsError
from core.settings import Settings

UNKNOWN_SENDER = "UNKNOWN"
_T = TypeVar("_T")
#: Raw bytes from this size on are stored on a connection that is closed afterwards, not
#: pooled: the driver keeps a copy of what it sent (see :meth:`Pipeline._receive`).
FRESH_CONNECTION_BYTES = 1 << 20

#: Bytes detect_format looks at.
FORMAT_HEAD = 64

#: Group commit (ADR 0006, stop 27): interchanges from this size on are never processed in a
#: unit with others. Sharing a unit saves a fixed cost per interchange (about 0.65 ms), which
#: matters for small ones only, and a large one would hold the batch's locks and memory for
#: its whole run. A day's ten-declaration interchange is about 9 KB.
BATCH_BYTES = 64 * 1024

#: The channel flow for each detected format (see :func:`detect_format`).
FLOWS: dict[str, Callable[[FlowContext, bytes], SubmissionOutcome]] = {
    "edifact": process_edifact,
    "xml": process_xml,
    "x12": process_x12,
    "json": process_json,
}


class ProcessingError(CustomsError):
    """Processing stopped on an unexpected error; the raw message is kept, marked failed."""

    code = "processing_failed"

    def __init__(self, message_id: int, cause: BaseException) -> None:
        super().__init__(f"message {message_id} failed: {failure_text(cause)}")
        self.message_id = message_id


def failure_text(cause: BaseException) -> str:
    """What a failed message's record, event and error answer say about ``cause``.

    A store error says what the database refused (the driver's first line), not SQLAlchemy's
    text with the whole statement and its parameters: those belong in the operators' logs
    (the cause stays chained), not in an answer to the sender or a list of dead letters.
    """
    if isinstance(cause, StatementError) and cause.orig is not None:
        first = str(cause.orig).strip().splitlines()
        return f"{type(cause).__name__}: {first[0] if first else type(cause.orig).__name__}"
    return f"{type(cause).__name__}: {cause}"


def detect_format(raw: bytes) -> str | None:
    """``edifact`` (UNA/UNB), ``x12`` (ISA), ``xml`` (a markup start), ``json`` (``{``: a
    canonical JSON request, docs/json-channel.md); None otherwise."""
    head = raw[:FORMAT_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith(b"<"):
        return "xml"
    if head.startswith(b"{"):
        return "json"
    return None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is processed.

    An interchange is held whole until its single commit: tens of thousands of small,
    acyclic segment tuples that reference counting frees anyway. The cyclic collector kept
    re-scanning them and made reading 2.8 times slower (3.1 MB/s instead of 8.6 MB/s on
    benchmarks/edifact_bench.py data); it runs again as soon as the file is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def runs(items: Iterable[_T], limit: int, alone: Callable[[_T], bool]) -> Iterator[list[_T]]:
    """Consecutive runs of ``items`` for one unit of work each (group commit), taken lazily:
    at most ``limit`` items a run, and an item for which ``alone`` is true always in a run of
    its own (a large interchange, a file that could not be read). The order is kept (a
    sender's interchanges are processed in the order received), and a run is handed out
    before the next item is taken, so a caller reading files holds at most one run's bytes."""
    run: list[_T] = []
    for item in items:
        if alone(item):
            if run:
                yield run
                run = []
            yield [item]
            continue
        run.append(item)
        if len(run) == limit:
            yield run
            run = []
    if run:
        yield run


def batches(sizes: Sequence[int], limit: int, max_bytes: int = BATCH_BYTES) -> list[range]:
    """:func:`runs` of the items whose sizes are ``sizes``, as ranges of their indexes, for
    :meth:`Pipeline.process_stored_batch`: an item of ``max_bytes`` or more always alone."""
    return [
        range(run[0], run[-1] + 1)
        for run in runs(range(len(sizes)), limit, lambda index: sizes[index] >= max_bytes)
    ]


class BatchRolledBackError(Exception):
    """A group-committed batch failed and was rolled back whole; ``__cause__`` is why.

    Nothing of the batch was written: the caller processes each message alone, where the
    same failure meets the message it belongs to."""


def standard_steps(settings: Settings, clock: Clock) -> list[DeclarationStep]:
    """The declaration steps of a full installation, in order: assessment, then the rest."""
    return [
        TariffAssessment(clock, settings.regime, registry_store.latest_in_unit),
        ManifestReconciliation.from_settings(settings, clock),
        ControlsAndDecision(clock, settings),  # decides on every finding gathered before it
    ]


def _lock_stored(session: Session, message_id: int) -> InboundMessage | None:
    """Stored message ``message_id`` locked for processing, or None when it is not to be
    processed (gone, or done by an earlier run: only ``received`` and ``failed`` are).

    Waits for a unit of work that holds the row (unlike a retry's NOWAIT claim): when it
    commits, this run finds the message done. The bytes are left out (read in pieces by
    :class:`StoredRaw`)."""
    locked = (
        select(InboundMessage)
        .where(InboundMessage.id == message_id)
        .with_for_update()
        .execution_options(populate_existing=True)
        .options(defer(InboundMessage.raw))
    )
    inbound = session.scalars(locked).one_or_none()
    if inbound is None or inbound.status not in ("received", "failed"):
        return None
    return inbound


@dataclass(slots=True)
class _SenderSeen:
    """The sender a flow recorded on the message before its unit of work failed.

    A flow files the message under the envelope's sender (UNB, ISA06, the XML declarant, the
    JSON ``sender``) once it has read the envelope and the sender check has passed; a later
    failure rolls that back with the rest, and the failed message was listed as ``UNKNOWN``
    (hidden from the sender's subject). What was recorded is kept here, read before the
    rollback, for :meth:`Pipeline._mark_failed` to file the failed message under.
    """

    sender: str | None = None
    #: The sending party's other identifier it was filed with (a DecMessage declarant's).
    alias: str | None = None


class BatchItem(NamedTuple):
    """One stored message of a batch (:meth:`Pipeline.process_stored_batch`)."""

    message_id: int
    #: The senders its submitter may file as (None: the local operator, anyone).
    senders: frozenset[str] | None = None
    #: The bytes just received, when the caller still holds them: not read back.
    raw: bytes | None = None


@dataclass
class Pipeline:
    """The processing core; build one per process and call :meth:`submit` per file."""

    engine: Engine
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    steps: Sequence[DeclarationStep] = ()
    #: False: the outcome of a large EDIFACT interchange keeps only a summary of each
    #: declaration (:attr:`FlowContext.details`), so a worker's memory stays bounded.
    details: bool = True

    @classmethod
    def standard(cls, engine: Engine, settings: Settings, clock: Clock | None = None) -> Pipeline:
        """A pipeline with :func:`standard_steps` (what the CLI runs)."""
        clock = clock or SystemClock()
        return cls(engine, settings, clock, standard_steps(settings, clock))

    def __post_init__(self) -> None:
        self._sessions = session_factory(self.engine)
        self._profiles = profiles_for(self.settings)
        self._zone = ZoneInfo(self.settings.timezone)

    def submit(
        self,
        raw: bytes,
        *,
        sender: str | None = None,
        filename: str | None = None,
        channel: str = "file",
        submitted_by: str | None = None,
        senders: frozenset[str] | None = None,
    ) -> SubmissionOutcome:
        """Process one file; raises :class:`ProcessingError` only for unexpected failures.

        ``submitted_by`` is the subject that sent it (None: the local operator); ``senders``
        the senders it may act as (None: anyone; see :mod:`clearance.flow.senders`).
        """
        message_id = self._receive(raw, sender, filename, channel, submitted_by)
        return self._run(message_id, raw, sender, filename, senders=senders)

    def retry(self, message_id: int, senders: frozenset[str] | None = None) -> SubmissionOutcome:
        """Process a stored message that failed, or is stuck ``received``, again from its raw
        bytes (:mod:`clearance.intake.claims`: one retry of several at once processes it).
        The bytes are read back as a worker reads them (:meth:`process_stored`)."""
        with UnitOfWork(self._sessions) as uow:
            inbound = uow.session.get(
                InboundMessage, message_id, options=[defer(InboundMessage.raw)]
            )
            if inbound is None:
                raise UnknownMessageError(f"no message {message_id}")
            refuse_unless_retryable(inbound, self.clock.now(), self.settings)
            filename = inbound.filename
            sender = None if inbound.sender == UNKNOWN_SENDER else inbound.sender
        return self._run(message_id, None, sender, filename, retrying=True, senders=senders)

    def receive(
        self,
        raw: bytes,
        *,
        sender: str | None = None,
        filename: str | None,
        channel: str,
        submitted_by: str | None = None,
    ) -> int:
        """Store the raw bytes (committed at once) and return the message id; process later."""
        return self._receive(raw, sender, filename, channel, submitted_by)

    def process_stored(
        self, message_id: int, senders: frozenset[str] | None = None
    ) -> SubmissionOutcome | None:
        """Process a stored message that nobody has processed yet: a queued job's body.

        The message row is locked first and its status checked under the lock, so a job run
        twice (a worker killed after committing, a stalled job retried, an operator's retry at
        the same moment) processes it once: the later runs find it done and return None.
        ``received`` (never processed) and ``failed`` (an earlier attempt rolled back) are
        processed; a failure marks it ``failed`` and raises :class:`ProcessingError`.

        An EDIFACT interchange's bytes are read from the store a piece at a time
        (:class:`StoredRaw`), never whole: a worker's memory does not grow with the bytes.
        """
        filename: str | None = None
        seen = _SenderSeen()

        def work(session: Session) -> SubmissionOutcome | None:
            nonlocal filename
            inbound = _lock_stored(session, message_id)
            if inbound is None:
                return None  # done by an earlier run (or no longer kept)
            sender = None if inbound.sender == UNKNOWN_SENDER else inbound.sender
            filename = inbound.filename
            raw = StoredRaw(session, message_id)
            return self._process(session, inbound, raw, sender, filename, senders, seen)

        try:
            outcome = self._unit(work)
        except SenderRefusedError as refused:
            return self._refuse_sender(message_id, filename, refused)
        except Exception as exc:
            self._failed(message_id, exc, seen)
        return outcome

    def process_stored_batch(self, messages: Sequence[BatchItem]) -> list[SubmissionOutcome | None]:
        """Process several stored messages in ONE unit of work (group commit).

        ``messages``: in the order they are to be processed (one sender's interchanges in the
        order received). Each message is locked and processed as :meth:`process_stored` does
        it, or, when the caller still holds the bytes it just received (:attr:`BatchItem.raw`,
        the mailbox), claimed and processed from those bytes as :meth:`submit` does (the
        stored bytes are not read back); one after the other in the same transaction, and the
        unit commits once: one BEGIN, one commit, and the per-transaction caches (reference
        stamps, registries, tariff) warm for all. Each
        interchange was received (its bytes committed) in its own durable unit before, and
        gets its own answer; a business rejection (a CONTRL refusing it, a declaration
        rejected) is an outcome and is committed with the rest.

        All or nothing for the batch: on any exception (a failed interchange, a sender
        refused, a ledger race lost at commit, the store) the whole unit is rolled back,
        nothing of any of them is written, and :class:`BatchRolledBackError` is raised from
        the failure (so the caller can say why): the caller then processes
        each message alone with :meth:`process_stored`, so the outcome is exactly what
        one-by-one processing gives (a failed message is marked failed there, not here).
        The atomicity per interchange is therefore this fallback, not a SAVEPOINT each: the
        ORM's savepoint took back most of what sharing the unit saves (ADR 0006, stop 26).
        """

        def work(session: Session) -> list[SubmissionOutcome | None]:
            outcomes: list[SubmissionOutcome | None] = []
            for message_id, senders, held in messages:
                if held is not None:
                    # Just received, so ``received``; anything else raises NotRetryableError
                    # and the message is then processed alone (process_stored: done, None).
                    now = self.clock.now()
                    claimed = claim(session, message_id, now, self.settings, retrying=False)
                    sender = None if claimed.sender == UNKNOWN_SENDER else claimed.sender
                    outcomes.append(
                        self._process(session, claimed, held, sender, claimed.filename, senders)
                    )
                    continue
                inbound = _lock_stored(session, message_id)
                if inbound is None:
                    outcomes.append(None)  # done by an earlier run, as process_stored says
                    continue
                sender = None if inbound.sender == UNKNOWN_SENDER else inbound.sender
                raw = StoredRaw(session, message_id)
                outcomes.append(
                    self._process(session, inbound, raw, sender, inbound.filename, senders)
                )
            return outcomes

        try:
            with UnitOfWork(self._sessions) as uow:
                result = work(uow.session)
                uow.commit()
        except Exception as exc:
            # Whatever it was, nothing of the batch was written: the caller runs each message
            # alone, which meets the same failure again where it belongs (marked failed, a
            # sender refused, a ledger race run again, the store's error raised).
            raise BatchRolledBackError(
                f"a batch of {len(messages)} messages was rolled back: {type(exc).__name__}"
            ) from exc
        settle_long_lived()  # the unit is closed: nothing of it is kept
        return result

    def _run(
        self,
        message_id: int,
        raw: bytes | None,
        sender: str | None,
        filename: str | None,
        *,
        retrying: bool = False,
        senders: frozenset[str] | None = None,
    ) -> SubmissionOutcome:
        """Everything after receipt in one unit of work; on failure, mark the message failed.

        The unit of work first claims the message under a row lock; a claim refused (another
        worker has it, or had it) changes nothing and is not a failure of the message.
        ``raw`` None: the stored bytes, read back in pieces.
        """

        seen = _SenderSeen()

        def work(session: Session) -> SubmissionOutcome:
            inbound = claim(session, message_id, self.clock.now(), self.settings, retrying=retrying)
            content = StoredRaw(session, message_id) if raw is None else raw
            return self._process(session, inbound, content, sender, filename, senders, seen)

        try:
            outcome = self._unit(work)
        except (NotRetryableError, UnknownMessageError):
            raise
        except SenderRefusedError as refused:
            # Nothing of the interchange was registered (the unit rolled back): record why.
            return self._refuse_sender(message_id, filename, refused)
        except Exception as exc:
            self._failed(message_id, exc, seen)
        return outcome

    def _unit(self, work: Callable[[Session], _T]) -> _T:
        """``work`` in one unit of work, committed; run again (up to ``LEDGER_ATTEMPTS`` in
        all) when it lost a race for a ledger to a unit that committed first (PostgreSQL:
        :mod:`clearance.ledgers.deferral`), so that it decides on the new balance."""
        for attempt in range(1, LEDGER_ATTEMPTS + 1):
            try:
                with UnitOfWork(self._sessions) as uow:
                    result = work(uow.session)
                    uow.commit()
                settle_long_lived()  # the unit is closed: nothing of it is kept
                return result
            except LedgerRaceError:
                if attempt == LEDGER_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _receive(
        self,
        raw: bytes,
        sender: str | None,
        filename: str | None,
        channel: str,
        submitted_by: str | None = None,
    ) -> int:
        now = self.clock.now()
        row = {
            "submitted_by": submitted_by,
            "sender": sender or UNKNOWN_SENDER,
            "channel": channel,
            "filename": filename,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "size": len(raw),
            "raw": raw,
            "received_at": now,
            "status": "received",
        }
        # Durable: the trader's bytes survive a power loss once receipt is answered.
        with UnitOfWork(self._sessions, durable=True) as uow:
            # A Core INSERT: an ORM object would be flushed through the unit of work and then
            # held, with the bytes, by a session that ends here.
            (message_id,) = insert_rows_returning_ids(uow.session, InboundMessage, [row])
            append_event(
                uow.session,
                EventKind.RECEIVED,
                now,
                inbound_message_id=message_id,
                data={"size": len(raw), "channel": channel},
            )
            if len(raw) >= FRESH_CONNECTION_BYTES:
                # The driver keeps what it sent for as long as the connection lives: SQLite's
                # cached INSERT keeps its copy of the blob bound until the statement runs
                # again, libpq an output buffer as large as its largest message. Pooled, that
                # is one more copy of the interchange while it is processed (and after);
                # this connection is closed at the commit instead.
                uow.session.connection().detach()
            uow.commit()
            return message_id

    def _process(
        self,
        session: Session,
        inbound: InboundMessage,
        raw: bytes | StoredRaw,
        sender: str | None,
        filename: str | None,
        senders: frozenset[str] | None = None,
        seen: _SenderSeen | None = None,
    ) -> SubmissionOutcome:
        """Process ``raw``: the bytes received, or a stored message's bytes read back (an
        EDIFACT interchange's a piece at a time; the other channels parse a document whole,
        under a far smaller size limit, and read it whole as before). On a failure, ``seen``
        is told the sender the flow had filed the message under."""
        now = self.clock.now()
        defer_locks(session)  # ledger heads locked at commit only (PostgreSQL, ADR 0013)
        head = raw.head(FORMAT_HEAD) if isinstance(raw, StoredRaw) else raw[:FORMAT_HEAD]
        inbound.format = detect_format(head)
        if inbound.format is None:
            return self._unrecognised(session, inbound, filename)
        oversize = oversize_problem(self.settings, inbound.format, len(raw))
        if oversize is not None:
            return self._refused(session, inbound, filename, "size", oversize)
        context = FlowContext(
            session=session,
            inbound=inbound,
            sender_hint=sender,
            filename=filename,
            now=now,
            local_now=now.astimezone(self._zone),
            accepted_on=now.astimezone(self._zone).date(),
            settings=self.settings,
            profile=self._profiles.default,
            steps=self.steps,
            profiles=self._profiles,
            senders=senders,
            details=self.details,
        )
        try:
            with cyclic_gc_paused():
                if inbound.format == "edifact":
                    outcome = process_edifact(context, raw)
                else:
                    whole = inbound.raw if isinstance(raw, StoredRaw) else raw  # as loaded
                    outcome = FLOWS[inbound.format](context, whole)
        except SenderRefusedError:
            raise  # filed under the sender it was received under (_refuse_sender)
        except Exception:
            if seen is not None:
                # Read before the rollback expires it: the value in hand, no query.
                seen.sender = vars(inbound).get("sender")
                seen.alias = vars(inbound).get("sender_alias")
            raise
        inbound.status = outcome.status.value
        inbound.processed_at = now
        inbound.error = None
        write_processed(session, inbound)  # not the ORM's flush at commit (processed.py)
        return outcome

    def _unrecognised(
        self, session: Session, inbound: InboundMessage, filename: str | None
    ) -> SubmissionOutcome:
        text = (
            "unrecognised format: expected an EDIFACT interchange (UNA/UNB), an X12 "
            "interchange (ISA), an XML declaration (WCO DEC-DMS, DecMessage) or a JSON request "
            "(an object, docs/json-channel.md)"
        )
        return self._refused(session, inbound, filename, "format", text)

    def _refused(
        self,
        session: Session,
        inbound: InboundMessage,
        filename: str | None,
        code: str,
        text: str,
    ) -> SubmissionOutcome:
        """Reject the whole file before parsing it (unknown format, over the size limit)."""
        now = self.clock.now()
        inbound.status = InterchangeStatus.REJECTED.value
        inbound.processed_at = now
        inbound.error = text
        append_event(
            session,
            EventKind.SYNTAX_REJECTED,
            now,
            inbound_message_id=inbound.id,
            data={"reason": text},
        )
        return SubmissionOutcome(
            file=filename,
            message_id=inbound.id,
            format=inbound.format,
            message_type=None,
            status=InterchangeStatus.REJECTED,
            errors=[ErrorReport(code=code, text=text, line=1, column=1)],
            sender=inbound.sender,
        )

    def _refuse_sender(
        self, message_id: int, filename: str | None, refused: SenderRefusedError
    ) -> SubmissionOutcome:
        """The interchange names a sender its subject may not act as: rejected, kept, said why.

        The message keeps the sender it was received under (not the one it claimed), so the
        refused bytes never show up among the claimed party's messages.
        """
        now = self.clock.now()
        where = refused.position
        with UnitOfWork(self._sessions) as uow:
            inbound = uow.session.get(InboundMessage, message_id)
            assert inbound is not None
            # The head only: the message may be a very large interchange.
            stored = StoredRaw(uow.session, message_id)
            inbound.format = detect_format(stored.head(FORMAT_HEAD))
            inbound.status = InterchangeStatus.REJECTED.value
            inbound.error = refused.message
            inbound.processed_at = now
            append_event(
                uow.session,
                EventKind.SYNTAX_REJECTED,
                now,
                inbound_message_id=message_id,
                data={"reason": refused.message, "code": refused.code},
            )
            report = ErrorReport(
                code=refused.code,
                text=refused.message,
                segment=where.segment,
                line=where.line,
                column=where.column,
                element=where.element,
            )
            outcome = SubmissionOutcome(
                file=filename,
                message_id=message_id,
                format=inbound.format,
                message_type=None,
                status=InterchangeStatus.REJECTED,
                errors=[report],
                sender=inbound.sender,
                # The refusal in the submitter's own format, to the submitter only.
                acknowledgement=refusal_acknowledgement(
                    uow.session,
                    self.settings,
                    now.astimezone(self._zone),
                    inbound.format,
                    stored,
                    refused,
                    report,
                ),
            )
            uow.commit()
        return outcome

    def _failed(self, message_id: int, exc: Exception, seen: _SenderSeen) -> NoReturn:
        """Raise what a failed unit of work means: the store's fault, or the message's.

        A store that went away (a server restart, a lost connection) or ran out of disk is
        not the message's fault: nothing of the unit was written, the message keeps its
        state (``received``: the queue tries again) and :class:`StoreUnavailableError` /
        :class:`StoreFullError` is raised. Marking it ``failed`` would need the store that
        just failed, and after an in-doubt commit (the connection lost during COMMIT) it
        would mark a message failed that was in fact processed. ``seen``: the sender the
        flow had filed the message under before it failed (:class:`_SenderSeen`).
        """
        store = store_error(self.engine.url.render_as_string(hide_password=False), exc)
        if store is not None:
            raise store from exc
        self._mark_failed(message_id, exc, seen)
        raise ProcessingError(message_id, exc) from exc

    def _mark_failed(self, message_id: int, exc: BaseException, seen: _SenderSeen) -> None:
        now = self.clock.now()
        with UnitOfWork(self._sessions) as uow:
            inbound = uow.session.get(InboundMessage, message_id)
            if inbound is not None:
                if inbound.sender == UNKNOWN_SENDER and seen.sender:
                    # The sender check passed for it: its subject may see the failed message.
                    inbound.sender, inbound.sender_alias = seen.sender, seen.alias
                inbound.status = "failed"
                inbound.error = failure_text(exc)[:2000]
                inbound.processed_at = now
                append_event(
                    uow.session,
                    EventKind.FAILED,
                    now,
                    inbound_message_id=message_id,
                    data={"error": inbound.error},
                )
                uow.commit()
