"""A store that went away or is full is told apart from a message's own failure.

The classifier (:func:`core.db.store_fault`) on the errors drivers really raise, and the whole
path on SQLite with a real ``SQLITE_FULL``: ``PRAGMA max_page_count`` caps the database file,
so SQLite answers "database or disk is full" exactly as on a full disk (this part runs
everywhere, without root; the real full disk on PostgreSQL is test_disk_full.py). The message
stays ``received``, the API answers 503 ``store_full`` with Retry-After, the fault is counted,
and once there is room the same message is processed, once.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application
from clearance.app import queueing as queue_cases
from clearance.app.monitoring import DATABASE_ERRORS
from clearance.store.migrate import upgrade
from core.clock import FixedClock
from core.db import make_engine, store_error, store_fault
from core.errors import StoreFullError, StoreUnavailableError
from core.settings import Settings
from tests.faults.support import broker_key, interchange
from tests.offices_support import load_sample_offices


def wrapped(orig: BaseException, *, statement: str | None = "INSERT") -> OperationalError:
    """``orig`` as SQLAlchemy raises it."""
    return OperationalError(statement, {}, orig)


def test_the_store_faults_are_told_apart_from_other_errors() -> None:
    assert store_fault(wrapped(sqlite3.OperationalError("database or disk is full"))) == "full"
    assert store_fault(wrapped(psycopg.errors.DiskFull("could not extend file"))) == "full"
    assert store_fault(OSError(errno.ENOSPC, "No space left on device")) == "full"
    assert store_fault(wrapped(psycopg.errors.AdminShutdown("terminating"))) == "unavailable"
    assert store_fault(wrapped(psycopg.OperationalError("server closed the connection"))) == (
        "unavailable"
    )
    assert store_fault(wrapped(psycopg.OperationalError("refused"), statement=None)) == (
        "unavailable"
    )
    # The queue's wrapping of a driver error (procrastinate's ConnectorException).
    queue_error = RuntimeError("Database error.")
    queue_error.__cause__ = psycopg.OperationalError("consuming input failed")
    assert store_fault(queue_error) == "unavailable"
    # The message's own faults, and an SQLite lock, are not the store's.
    assert store_fault(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE"))) is None
    assert store_fault(wrapped(sqlite3.OperationalError("database is locked"))) is None
    assert store_fault(wrapped(psycopg.errors.LockNotAvailable("nowait"))) is None
    assert store_fault(ValueError("bad")) is None
    full = store_error("postgresql+psycopg://u:secret@db/customs", OSError(errno.ENOSPC, "x"))
    assert isinstance(full, StoreFullError) and isinstance(full, StoreUnavailableError)
    assert "secret" not in full.message and "no space left" in full.message


@dataclass
class PageLimit:
    """The most pages the SQLite file may have (None: no limit), applied at each checkout."""

    pages: int | None = None


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[tuple[Engine, PageLimit]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'capped.db'}")
    upgrade(engine)
    load_sample_offices(engine)
    limit = PageLimit()

    @event.listens_for(engine, "checkout")
    def _cap(dbapi_connection: sqlite3.Connection, *_: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {limit.pages or 1073741823}")

    yield engine, limit
    engine.dispose()


def full_now(engine: Engine, limit: PageLimit) -> None:
    """Cap the file at the pages it has: the next page it needs is refused."""
    with engine.connect() as connection:
        limit.pages = int(connection.execute(text("PRAGMA page_count")).scalar_one())


def count(engine: Engine, sql: str) -> object:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def test_a_full_store_keeps_the_message_received_answers_503_and_recovers(
    capped: tuple[Engine, PageLimit], clock: FixedClock
) -> None:
    engine, limit = capped
    app = Application(engine, Settings(), clock)
    key = broker_key(app)
    message_id = app.pipeline.receive(interchange(1), filename=None, channel="file")
    full_now(engine, limit)
    seen = DATABASE_ERRORS.labels("full")._value.get()

    with pytest.raises(StoreFullError, match="no space left"):
        queue_cases.process_message(app, message_id)
    assert count(engine, f"SELECT status FROM inbound_messages WHERE id = {message_id}") == (
        "received"
    )
    assert count(engine, "SELECT count(*) FROM events WHERE kind = 'failed'") == 0
    assert DATABASE_ERRORS.labels("full")._value.get() == seen + 1

    api = build(application=app, api_settings=ApiSettings(rate_per_second=100, rate_burst=100))
    with TestClient(api, raise_server_exceptions=False) as client:
        answer = client.post(
            "/v1/submissions",
            content=interchange(2),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"},
        )
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "store_full"

        limit.pages = None  # space is back
        outcome = queue_cases.process_message(app, message_id)
        assert outcome is not None and outcome.status.value == "accepted"
        assert queue_cases.process_message(app, message_id) is None  # done once
        again = client.post(
            "/v1/submissions",
            content=interchange(2),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"},
        )
        assert again.status_code == 202, again.text
    assert count(engine, "SELECT count(*) FROM declarations") == 2
    assert count(engine, "SELECT count(*) FROM events WHERE kind = 'failed'") == 0
