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
from clearance.app.queueing import deferring_app, enqueue
from clearance.flow.outcome import InterchangeStatus
from clearance.intake.pipeline import ProcessingError
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
    """Take and process every file of ``sender``'s folder, in name order; their new paths."""
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
    return [_process(app, actor, folder, sender, name) for name in taken]


def _process(app: Application, actor: Actor, folder: Path, sender: str, name: str) -> str:
    work = folder / "work" / name
    raw = work.read_bytes()
    with bound(sender=sender, file=name, channel="mailbox"):
        interchange = Interchange(raw, filename=name, sender=sender, channel="mailbox")
        try:
            # Already a queued job under the sender's lock: processed here and now.
            queued = enqueue(app, actor, interchange, run_now=True)
        except ProcessingError as exc:
            log.error("mailbox file failed", message_id=exc.message_id, error=exc.message)
            return _file(work, folder / "failed", f"{name}.error", exc.message.encode())
        outcome = queued.outcome
        assert outcome is not None  # run_now
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
