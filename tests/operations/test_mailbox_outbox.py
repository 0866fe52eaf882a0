"""Mailbox intake and outbox delivery through the application layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, mailbox, mandates, outbox, subjects
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import empty_queue, mailbox_partner, scalar

pytestmark = pytest.mark.db


class MovingClock(FixedClock):
    """A fixed clock the test moves forward."""

    def advance(self, seconds: float) -> None:
        self._instant = self._instant + timedelta(seconds=seconds)

    def now(self) -> datetime:
        return self._instant


@pytest.fixture
def moving_clock(clock: FixedClock) -> MovingClock:
    return MovingClock(clock.now())


@pytest.fixture
def app(engine: Engine, moving_clock: MovingClock, tmp_path: Path) -> Application:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    application = Application(engine, Settings(mailbox_root=tmp_path / "mailbox"), moving_clock)
    mailbox_partner(application)  # BROKER01's folder is the broker's, who sends as BROKER01
    return application


def drop(app: Application, sender: str, name: str, content: bytes) -> Path:
    """A partner wrote a file into its inbound folder (under a dot name, then renamed) a
    minute ago: it has settled."""
    assert app.settings.mailbox_root is not None
    inbox = app.settings.mailbox_root / sender / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f".{name}").write_bytes(content)
    (inbox / f".{name}").rename(inbox / name)
    settled(inbox / name)
    return inbox / name


def settled(path: Path, seconds_ago: float = 60.0) -> None:
    """``path`` last changed ``seconds_ago``."""
    then = time.time() - seconds_ago
    os.utime(path, (then, then), follow_symlinks=False)


def stored_messages(engine: Engine) -> object:
    return scalar(engine, "SELECT count(*) FROM inbound_messages")


def test_files_are_taken_in_order_and_filed_with_their_acknowledgement(app: Application) -> None:
    drop(app, "BROKER01", "b.edi", (SAMPLES / "01-import-d96b.edi").read_bytes())
    drop(app, "BROKER01", "a.edi", b"not an interchange")
    root = app.settings.mailbox_root
    assert root is not None
    (root / "BROKER01" / "in" / ".half-written.edi").write_bytes(b"UNB+")  # skipped

    assert mailbox.senders_with_mail(root) == ["BROKER01"]
    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")

    folder = root / "BROKER01"
    assert taken == [str(folder / "failed" / "a.edi"), str(folder / "done" / "b.edi")]
    assert (folder / "done" / "b.edi.ack").read_text().startswith("UNA")  # the CONTRL
    assert (folder / "failed" / "a.edi.ack").exists()
    assert sorted(p.name for p in (folder / "in").iterdir()) == [".half-written.edi"]
    assert list((folder / "work").iterdir()) == []
    assert mailbox.senders_with_mail(root) == []


def test_a_file_still_being_written_is_taken_only_once_it_has_settled(
    app: Application, engine: Engine
) -> None:
    root = app.settings.mailbox_root
    assert root is not None and app.settings.mailbox_settle_seconds >= 1
    inbox = root / "BROKER01" / "in"
    inbox.mkdir(parents=True)
    content = (SAMPLES / "01-import-d96b.edi").read_bytes()
    # Written in place, half of it so far (the partner's client does not rename).
    (inbox / "x.edi").write_bytes(content[: len(content) // 2])
    for partial in ("y.edi.part", "y.edi.tmp", "y.edi.filepart"):  # never taken, however old
        (inbox / partial).write_bytes(content[:10])
        settled(inbox / partial)

    assert mailbox.senders_with_mail(root, app.settings.mailbox_settle_seconds) == []
    assert mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01") == []
    assert stored_messages(engine) == 0 and (inbox / "x.edi").exists()

    (inbox / "x.edi").write_bytes(content)  # the rest arrives; then nothing for a while
    settled(inbox / "x.edi", 5.0)
    assert mailbox.senders_with_mail(root, app.settings.mailbox_settle_seconds) == ["BROKER01"]
    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    assert taken == [str(root / "BROKER01" / "done" / "x.edi")]
    assert (root / "BROKER01" / "done" / "x.edi").read_bytes() == content
    assert sorted(p.name for p in inbox.iterdir()) == ["y.edi.filepart", "y.edi.part", "y.edi.tmp"]


@pytest.mark.parametrize("sender", ["../outside", "..", ".", "a/b", "/tmp", "BROKER01/../.."])
def test_a_sender_name_with_path_parts_reads_and_writes_nothing(
    app: Application, engine: Engine, tmp_path: Path, sender: str
) -> None:
    outside = tmp_path / "outside" / "in"
    outside.mkdir(parents=True)
    (outside / "x.edi").write_bytes((SAMPLES / "01-import-d96b.edi").read_bytes())
    settled(outside / "x.edi")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(mailbox.MailboxPathError):
        mailbox.sender_folder(tmp_path / "mailbox", sender)
    assert mailbox.take_sender(app, mailbox.MAILBOX, sender) == []
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert stored_messages(engine) == 0


def test_links_never_lead_out_of_the_mailbox_root(
    app: Application, engine: Engine, tmp_path: Path
) -> None:
    root = app.settings.mailbox_root
    assert root is not None
    secret = tmp_path / "secret.edi"
    secret.write_bytes((SAMPLES / "01-import-d96b.edi").read_bytes())
    inbox = root / "BROKER01" / "in"
    inbox.mkdir(parents=True)
    (inbox / "link.edi").symlink_to(secret)
    (inbox / "folder.edi").mkdir()
    settled(inbox / "link.edi")
    # A sender folder that is a link to a folder outside the root is not looked into.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "in").mkdir(parents=True)
    (elsewhere / "in" / "y.edi").write_bytes(secret.read_bytes())
    settled(elsewhere / "in" / "y.edi")
    (root / "EVIL").symlink_to(elsewhere)

    assert mailbox.senders_with_mail(root) == ["BROKER01"]
    assert mailbox.take_sender(app, mailbox.MAILBOX, "EVIL") == []
    assert (elsewhere / "in" / "y.edi").exists()
    assert mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01") == []

    failed = root / "BROKER01" / "failed"
    assert (failed / "link.edi").is_symlink() and (failed / "folder.edi").is_dir()
    assert b"not a regular file" in (failed / "link.edi.error").read_bytes()
    assert b"not a regular file" in (failed / "folder.edi.error").read_bytes()
    assert list(inbox.iterdir()) == [] and secret.exists()
    assert stored_messages(engine) == 0
    assert mailbox.senders_with_mail(root) == []


def test_a_file_left_mid_way_is_taken_again_and_answered_once(
    app: Application, engine: Engine
) -> None:
    content = (SAMPLES / "01-import-d96b.edi").read_bytes()
    drop(app, "BROKER01", "x.edi", content)
    mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    root = app.settings.mailbox_root
    assert root is not None
    # A worker died after processing, before moving the file: it is back in work/.
    (root / "BROKER01" / "done" / "x.edi").rename(root / "BROKER01" / "work" / "x.edi")
    assert mailbox.senders_with_mail(root) == ["BROKER01"]
    mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1
    statuses = (
        scalar(engine, "SELECT string_agg(status, ',') FROM inbound_messages")
        if (engine.dialect.name == "postgresql")
        else scalar(engine, "SELECT group_concat(status, ',') FROM inbound_messages")
    )
    assert statuses == "accepted,duplicate"
    assert (root / "BROKER01" / "done" / "x.edi").exists()


def test_answers_are_delivered_once_and_failures_retried_with_backoff(
    app: Application, moving_clock: MovingClock
) -> None:
    drop(app, "BROKER01", "x.edi", (SAMPLES / "01-import-d96b.edi").read_bytes())
    mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    root = app.settings.mailbox_root
    assert root is not None
    (root / "NOBODY").mkdir()  # a partner with a folder and nothing to receive

    first = outbox.deliver(app, mailbox.MAILBOX)
    out = root / "BROKER01" / "out"
    names = sorted(p.name for p in out.iterdir())
    assert first == outbox.DeliveryRun(delivered=2, failed=0)
    assert names == ["0000000001-CONTRL.edi", "0000000002-CUSRES.edi"]
    assert (out / names[0]).read_text() == (root / "BROKER01" / "done" / "x.edi.ack").read_text()
    assert outbox.deliver(app, mailbox.MAILBOX) == outbox.DeliveryRun(0, 0)  # once

    # The partner's out/ is broken (a file where the folder should be): recorded, retried.
    # (Sample 02 is trader 91440300MA5DC8E3L9's, which mandated the broker to file it.)
    mandates.grant_mandate(app, LOCAL_OPERATOR, "broker-01", "91440300MA5DC8E3L9")
    drop(app, "BROKER01", "y.edi", (SAMPLES / "02-export-d99b-utf8.edi").read_bytes())
    mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    for p in out.iterdir():
        p.unlink()
    out.rmdir()
    out.write_text("not a folder")
    failed = outbox.deliver(app, mailbox.MAILBOX)
    assert failed.delivered == 0 and failed.failed >= 1
    assert outbox.deliver(app, mailbox.MAILBOX) == outbox.DeliveryRun(0, 0)  # not due yet
    out.unlink()
    moving_clock.advance(11)  # past the first back-off (10 s)
    again = outbox.deliver(app, mailbox.MAILBOX)
    assert again == outbox.DeliveryRun(delivered=failed.failed, failed=0)
    assert len(list(out.iterdir())) == failed.failed


# --- the folder is the partner's identity: the envelope's sender is checked against it ------


def _ack(root: Path, sender: str, name: str) -> str:
    return (root / sender / "failed" / f"{name}.ack").read_text()


def test_an_edifact_file_naming_another_sender_is_refused_with_a_contrl(
    app: Application, engine: Engine
) -> None:
    mailbox_partner(app, "BROKER02", subject="broker-02")
    # BROKER02 drops BROKER01's interchange (UNB names BROKER01) into its own folder.
    drop(app, "BROKER02", "x.edi", (SAMPLES / "01-import-d96b.edi").read_bytes())
    root = app.settings.mailbox_root
    assert root is not None

    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER02")

    assert taken == [str(root / "BROKER02" / "failed" / "x.edi")]
    ack = _ack(root, "BROKER02", "x.edi")
    assert "UCI+IC0000001+BROKER01:ZZZ+CNCUSTOMS:ZZZ+4+23+UNB+3'" in ack  # unknown sender
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0
    assert scalar(engine, "SELECT status FROM inbound_messages") == "rejected"
    assert scalar(engine, "SELECT submitted_by FROM inbound_messages") == "broker-02"
    # The refusal is the partner's answer beside its file, never delivered to BROKER01.
    assert outbox.deliver(app, mailbox.MAILBOX) == outbox.DeliveryRun(0, 0)
    assert not (root / "BROKER01").exists()


def test_an_x12_file_naming_another_sender_is_refused_with_a_ta1(
    app: Application, engine: Engine
) -> None:
    raw = (SAMPLES.parent / "x12" / "01-manifest-v123e-4010.x12").read_bytes()  # ISA06 COSU
    drop(app, "BROKER01", "m.x12", raw)
    root = app.settings.mailbox_root
    assert root is not None

    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")

    assert taken == [str(root / "BROKER01" / "failed" / "m.x12")]
    assert "TA1*000000101*261128*0930*R*006~" in _ack(root, "BROKER01", "m.x12")
    assert scalar(engine, "SELECT count(*) FROM manifests") == 0


def test_a_brokers_folder_files_the_xml_of_a_trader_only_once_it_mandated_the_broker(
    app: Application, engine: Engine
) -> None:
    raw = (SAMPLES.parent / "xml" / "dec-dms-import.xml").read_bytes()  # declarant GB553202734852
    root = app.settings.mailbox_root
    assert root is not None
    drop(app, "BROKER01", "a.xml", raw)
    mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")
    assert "<ValidationCode>sender</ValidationCode>" in _ack(root, "BROKER01", "a.xml")
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0

    mandates.grant_mandate(app, LOCAL_OPERATOR, "broker-01", "GB553202734852")
    drop(app, "BROKER01", "b.xml", raw)
    taken = mailbox.take_sender(app, mailbox.MAILBOX, "BROKER01")

    assert taken == [str(root / "BROKER01" / "done" / "b.xml")]
    assert scalar(engine, "SELECT sender FROM declarations") == "BROKER01"


@pytest.mark.parametrize("disabled", [False, True])
def test_a_folder_no_enabled_subject_owns_is_refused_unread(
    app: Application, engine: Engine, disabled: bool
) -> None:
    if disabled:
        mailbox_partner(app, "TRADER9", subject="trader-9", role="trader")
        subjects.disable_subject(app, LOCAL_OPERATOR, "trader-9")
    drop(app, "TRADER9", "x.edi", (SAMPLES / "01-import-d96b.edi").read_bytes())
    root = app.settings.mailbox_root
    assert root is not None

    taken = mailbox.take_sender(app, mailbox.MAILBOX, "TRADER9")

    assert taken == [str(root / "TRADER9" / "failed" / "x.edi")]
    error = (root / "TRADER9" / "failed" / "x.edi.error").read_text()
    assert "refused: mailbox folder TRADER9 belongs to no one subject" in error
    assert stored_messages(engine) == 0
    assert mailbox.senders_with_mail(root) == []
