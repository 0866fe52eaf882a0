"""Mailbox intake: partners drop files in their inbound folder, the answers come back beside.

The EDI-over-files habit of trading partners. Under ``CUSTOMS_MAILBOX_ROOT`` each partner
has a folder named by its sender id::

    <root>/<sender>/in/      files to take (names starting with "." are being written: skipped)
    <root>/<sender>/work/    taken, being processed (an atomic rename out of in/)
    <root>/<sender>/done/    processed (accepted, duplicate), with <name>.ack beside
    <root>/<sender>/failed/  rejected or failed, with <name>.ack (or <name>.error) beside
    <root>/<sender>/out/     every answer to the partner, delivered by the outbox

A file is claimed by renaming it into ``work/`` (atomic on one file system: two workers never
take the same file) and filed under the folder's sender. A crash leaves it in ``work/``; the
next run of that sender takes it again, and the duplicate check answers it with the original
acknowledgement if it had been processed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.messages import Interchange
from clearance.app.queueing import Processed, deferring_app, process_messages, receive
from clearance.flow.outcome import InterchangeStatus
from clearance.intake.pipeline import BATCH_BYTES, ProcessingError, batches
from clearance.queueing.engine import uses_queue
from clearance.queueing.jobs import MAILBOX_SENDER, SCHEDULED_QUEUE, defer
from core.logs import bound, get_logger

log = get_logger("clearance.mailbox")
#: Who files mailbox messages: the operator who configured the folders.
MAILBOX = Actor.local("mailbox")
_ANSWERED = {InterchangeStatus.ACCEPTED, InterchangeStatus.DUPLICATE}


@dataclass(frozen=True, slots=True)
class MailboxRun:
    """What one look into the inbound folders did."""

    #: Senders whose folder had files: queued as one job each (PostgreSQL) or processed.
    senders: tuple[str, ...]
    #: Files taken and processed in this process (SQLite), by their new path.
    files: tuple[str, ...] = ()


def senders_with_mail(root: Path) -> list[str]:
    """Sender folders whose ``in/`` (or ``work/``, after a crash) holds files."""
    if not root.is_dir():
        return []
    return sorted(
        folder.name
        for folder in root.iterdir()
        if folder.is_dir() and (_waiting(folder / "in") or _waiting(folder / "work"))
    )


def scan(app: Application, actor: Actor) -> MailboxRun:
    """Queue one job per sender with mail (in process on SQLite): the scheduled job's body."""
    require(actor, Permission.SUBMIT)
    root = app.settings.mailbox_root
    if root is None:
        return MailboxRun(())
    senders = senders_with_mail(root)
    if not uses_queue(app.engine):
        files = [f for sender in senders for f in take_sender(app, actor, sender)]
        return MailboxRun(tuple(senders), tuple(files))
    for sender in senders:
        # The sender's queue lock keeps its files in order with its other submissions.
        defer(
            app.engine,
            deferring_app(app),
            MAILBOX_SENDER,
            {"sender": sender},
            queue=SCHEDULED_QUEUE,
            lock=f"sender:{sender}",
            queueing_lock=f"mailbox:{sender}",
        )
    return MailboxRun(tuple(senders))


def take_sender(app: Application, actor: Actor, sender: str) -> list[str]:
    """Take and process every file of ``sender``'s folder, in name order; their new paths.

    Small files are processed several at a time in one unit of work (group commit, ADR 0006
    stop 27), from the bytes read from the file: up to ``CUSTOMS_MAILBOX_BATCH`` consecutive
    files, a large one always alone and read back from the store in pieces.
    Each is received (its bytes committed) on its own first and gets its own answer; if
    anything in a batch fails, the batch is rolled back whole and its files are processed
    one by one (:func:`clearance.app.queueing.process_messages`), so what is filed is what
    one-by-one processing files.
    """
    require(actor, Permission.SUBMIT)
    root = app.settings.mailbox_root
    if root is None:
        return []
    folder = root / sender
    work = folder / "work"
    work.mkdir(parents=True, exist_ok=True)
    taken = sorted(_waiting(work))  # left by a crash: theirs first, they came first
    for name in sorted(_waiting(folder / "in")):
        try:
            os.rename(folder / "in" / name, work / name)
        except FileNotFoundError:
            continue  # another worker took it
        taken.append(name)
    sizes = [(work / name).stat().st_size for name in taken]
    filed: list[str] = []
    for run in batches(sizes, app.settings.mailbox_batch):
        names = [taken[i] for i in run]
        filed += _process(app, actor, folder, sender, names)
    return filed


def _process(
    app: Application, actor: Actor, folder: Path, sender: str, names: list[str]
) -> list[str]:
    """Receive each file of ``names`` (committed one by one), process them together, file
    each with its answer; their new paths."""
    received: list[tuple[int, bytes | None]] = []
    for name in names:
        raw = (folder / "work" / name).read_bytes()
        interchange = Interchange(raw, filename=name, sender=sender, channel="mailbox")
        with bound(sender=sender, file=name, channel="mailbox"):
            message_id = receive(app, actor, interchange)
        # The bytes in hand are processed as they are, not read back from the store; a large
        # file is read back in pieces as before (the worker's memory stays bounded).
        received.append((message_id, raw if len(raw) < BATCH_BYTES else None))
    # Already a queued job under the sender's lock: processed here and now, in order.
    results = process_messages(app, received)
    return [
        _filed(folder, sender, name, result) for name, result in zip(names, results, strict=True)
    ]


def _filed(folder: Path, sender: str, name: str, result: Processed) -> str:
    work = folder / "work" / name
    with bound(sender=sender, file=name, channel="mailbox"):
        if isinstance(result, ProcessingError):
            log.error("mailbox file failed", message_id=result.message_id, error=result.message)
            return _file(work, folder / "failed", f"{name}.error", result.message.encode())
        outcome = result
        assert outcome is not None  # just received: nobody else processes it
        ack = outcome.acknowledgement.text.encode() if outcome.acknowledgement else b""
        target = folder / ("done" if outcome.status in _ANSWERED else "failed")
        log.info(
            "mailbox file taken",
            message_id=outcome.message_id,
            conversation_id=str(outcome.message_id),
            status=outcome.status.value,
        )
        return _file(work, target, f"{name}.ack", ack)


def _file(work: Path, target: Path, beside: str, content: bytes) -> str:
    """Write the acknowledgement first, then move the file: a crash in between leaves the
    file in work/ to be taken (and answered as a duplicate) again."""
    target.mkdir(parents=True, exist_ok=True)
    _write_atomically(target / beside, content)
    os.replace(work, target / work.name)
    return str(target / work.name)


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _waiting(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
