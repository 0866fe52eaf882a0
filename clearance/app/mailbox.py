"""Mailbox intake: partners drop files in their inbound folder, the answers come back beside.

The EDI-over-files habit of trading partners. Under ``CUSTOMS_MAILBOX_ROOT`` each partner
has a folder named by its sender id::

    <root>/<sender>/in/      files to take (names starting with "." or ending in .tmp, .part,
                             .filepart are being written: skipped; so is a file changed less
                             than CUSTOMS_MAILBOX_SETTLE_SECONDS ago)
    <root>/<sender>/work/    taken, being processed (an atomic rename out of in/)
    <root>/<sender>/done/    processed (accepted, duplicate), with <name>.ack beside
    <root>/<sender>/failed/  rejected or failed, with <name>.ack (or <name>.error) beside
    <root>/<sender>/out/     every answer to the partner, delivered by the outbox

A file is claimed by renaming it into ``work/`` (atomic on one file system: two workers never
take the same file) and filed under the folder's sender, submitted as the subject that owns the
folder: the one enabled trader or broker holding the folder's name as its party id
(:func:`clearance.app.identity.mailbox_owner`). As over the API, the envelope's sender (UNB,
ISA, the XML declarant, the JSON ``sender``) must be a party id that subject acts as (its own or
a mandating trader's); another is refused, answered in the sender's own acknowledgement format
beside the file in ``failed/``. A folder no one subject owns has its files moved to ``failed/``
unread, with ``<name>.error`` saying why. A crash leaves a file in ``work/``; the
next run of that sender takes it again, and the duplicate check answers it with the original
acknowledgement if it had been processed.

Nothing outside the root is read or written: a sender is one plain folder name (a job naming
``../x`` or ``a/b`` is refused), a sender folder that leads outside the root (a symbolic link)
is not looked into, and an entry of ``in/`` that is not a regular file (a symbolic link, a
folder, a pipe) is never read: it is moved to ``failed/`` with ``<name>.error`` saying why.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.identity import NotAuthenticatedError, mailbox_owner
from clearance.app.messages import Interchange
from clearance.app.queueing import Processed, deferring_app, process_messages, receive
from clearance.flow.outcome import InterchangeStatus
from clearance.intake.pipeline import BATCH_BYTES, ProcessingError, batches
from clearance.queueing.engine import uses_queue
from clearance.queueing.jobs import MAILBOX_SENDER, SCHEDULED_QUEUE, defer
from core.logs import bound, get_logger

log = get_logger("clearance.mailbox")
#: Who runs the mailbox sweep: the operator who configured the folders. Each folder's files
#: are then submitted as the subject that owns the folder (:func:`take_sender`).
MAILBOX = Actor.local("mailbox")
_ANSWERED = {InterchangeStatus.ACCEPTED, InterchangeStatus.DUPLICATE}
#: A sender folder's name: one path component of letters, digits and ``-_.:@`` (no ``..``).
_SENDER = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.:@-]{1,70}$")
#: Names a writer uses while a file is not complete yet: never taken.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".filepart", "~")


class MailboxPathError(ValueError):
    """A sender name or folder that would lead outside the mailbox root."""


@dataclass(frozen=True, slots=True)
class MailboxRun:
    """What one look into the inbound folders did."""

    #: Senders whose folder had files: queued as one job each (PostgreSQL) or processed.
    senders: tuple[str, ...]
    #: Files taken and processed in this process (SQLite), by their new path.
    files: tuple[str, ...] = ()


def senders_with_mail(root: Path, settle_seconds: float = 0.0) -> list[str]:
    """Sender folders whose ``in/`` (or ``work/``, after a crash) holds files."""
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        try:
            folder = sender_folder(root, folder.name)
        except MailboxPathError:
            continue
        if folder.is_dir() and (
            _waiting(folder / "in", settle_seconds)
            or _not_files(folder / "in")
            or _waiting(folder / "work")
        ):
            found.append(folder.name)
    return sorted(found)


def sender_folder(root: Path, sender: str) -> Path:
    """``root/sender``, refused if ``sender`` is not one plain name or the folder (a symbolic
    link) leads outside ``root``."""
    if not _SENDER.match(sender):
        raise MailboxPathError(f"{sender!r} is not a mailbox sender name")
    folder = root / sender
    real_root = root.resolve()
    if not folder.resolve().is_relative_to(real_root) or folder.resolve() == real_root:
        raise MailboxPathError(f"mailbox folder {sender!r} leads outside {root}")
    return folder


def scan(app: Application, actor: Actor) -> MailboxRun:
    """Queue one job per sender with mail (in process on SQLite): the scheduled job's body."""
    require(actor, Permission.SUBMIT)
    root = app.settings.mailbox_root
    if root is None:
        return MailboxRun(())
    senders = senders_with_mail(root, app.settings.mailbox_settle_seconds)
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
    try:
        folder = sender_folder(root, sender)
    except MailboxPathError as exc:
        log.error("mailbox sender refused", sender=sender, error=str(exc))
        return []
    work = folder / "work"
    work.mkdir(parents=True, exist_ok=True)
    taken = sorted(_waiting(work))  # left by a crash: theirs first, they came first
    for name in sorted(_not_files(folder / "in")):
        _refuse(folder, name)
    for name in sorted(_waiting(folder / "in", app.settings.mailbox_settle_seconds)):
        try:
            os.rename(folder / "in" / name, work / name)
        except FileNotFoundError:
            continue  # another worker took it
        taken.append(name)
    if not taken:
        return []
    try:
        # The folder is the partner's identity: its files are submitted as the subject that
        # holds the folder's party id, and refused for a sender that subject may not act as.
        owner = mailbox_owner(app, sender)
    except NotAuthenticatedError as exc:
        log.error("mailbox folder refused: no subject owns it", sender=sender, error=str(exc))
        reason = f"refused: {exc.message}\n".encode()
        return [_file(work / name, folder / "failed", f"{name}.error", reason) for name in taken]
    sizes = [(work / name).stat().st_size for name in taken]
    filed: list[str] = []
    for run in batches(sizes, app.settings.mailbox_batch):
        names = [taken[i] for i in run]
        filed += _process(app, owner, folder, sender, names)
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


def _waiting(folder: Path, settle_seconds: float = 0.0) -> list[str]:
    """Regular files of ``folder`` that are complete: not under a name still being written,
    and (``settle_seconds``) not changed in that time."""
    if not folder.is_dir():
        return []
    settled = time.time() - settle_seconds  # the file system's clock, not the application's
    names = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _partial(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            if settle_seconds and entry.stat(follow_symlinks=False).st_mtime > settled:
                continue  # still being written, maybe: the next look takes it
            names.append(entry.name)
    return names


def _not_files(folder: Path) -> list[str]:
    """Entries of ``folder`` that are not regular files (symbolic links, folders, pipes)."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        return [
            e.name for e in entries if not _partial(e.name) and not e.is_file(follow_symlinks=False)
        ]


def _partial(name: str) -> bool:
    return name.startswith(".") or name.endswith(_PARTIAL_SUFFIXES)


def _refuse(folder: Path, name: str) -> None:
    """Move an entry of in/ that is not a regular file to failed/ unread (a link is moved as
    the link, never followed), with ``<name>.error`` saying why."""
    with bound(sender=folder.name, file=name, channel="mailbox"):
        log.error("mailbox entry refused: not a regular file")
        failed = folder / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        reason = b"refused: not a regular file (a symbolic link, a folder or a device)\n"
        _write_atomically(failed / f"{name}.error", reason)
        # OSError: taken by another worker, or a folder of that name in failed/: left as is.
        with contextlib.suppress(OSError):
            os.rename(folder / "in" / name, failed / name)
