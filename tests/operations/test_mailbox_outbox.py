"""Mailbox intake and outbox delivery through the application layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.app import Application, mailbox, outbox
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import empty_queue, scalar

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
    return Application(engine, Settings(mailbox_root=tmp_path / "mailbox"), moving_clock)


def drop(app: Application, sender: str, name: str, content: bytes) -> Path:
    """A partner writes a file into its inbound folder (under a dot name, then renamed)."""
    assert app.settings.mailbox_root is not None
    inbox = app.settings.mailbox_root / sender / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f".{name}").write_bytes(content)
    (inbox / f".{name}").rename(inbox / name)
    return inbox / name


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
