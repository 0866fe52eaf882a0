"""Running ``customs worker`` (and other long-lived commands) as real processes in tests.

Waits are on database state, polled; the deadline only fails a test that would hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from clearance.store.queue_schema import QUEUE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120.0
#: Short heartbeats so that a dead worker is noticed within seconds.
FAST_QUEUE = {
    "CUSTOMS_WORKER_HEARTBEAT_SECONDS": "0.5",
    "CUSTOMS_QUEUE_STALLED_AFTER_SECONDS": "2",
}


def postgres_only(engine: Engine) -> None:
    """Skip on SQLite: the queue and its workers need PostgreSQL."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL; SQLite processes in process")


def empty_queue(engine: Engine) -> None:
    """Remove every job, event and worker of the queue (between tests)."""
    tables = ", ".join(
        f"{QUEUE_SCHEMA}.{name}"
        for name in (
            "procrastinate_events",
            "procrastinate_periodic_defers",
            "procrastinate_jobs",
            "procrastinate_workers",
        )
    )
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def url_of(engine: Engine) -> str:
    """The engine's URL with its password, for a child process's environment."""
    return engine.url.render_as_string(hide_password=False)


def command_env(engine: Engine, **extra: str) -> dict[str, str]:
    """The environment of a ``customs`` child process on ``engine``'s database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    return {**env, "CUSTOMS_DATABASE_URL": url_of(engine), **FAST_QUEUE, **extra}


@contextmanager
def customs_process(engine: Engine, *argv: str, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """``customs ARGV…`` as a child process; stopped (SIGTERM, then SIGKILL) at the end."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "clearance.cli", *argv],
            cwd=ROOT,
            env=command_env(engine, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        except BaseException:
            stop(process)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-6000:])  # shown on failure
            raise
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a child to stop, and kill it if it does not within the deadline."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(
    condition: Callable[[], bool],
    what: str,
    deadline: float = DEADLINE,
    every: float = 0.1,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` past the deadline,
    or at once when ``process`` (that should bring it about) has exited."""
    end = time.monotonic() + deadline
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process exited ({process.returncode}) before {what}")
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what} after {deadline} s")
        time.sleep(every)


def scalar(engine: Engine, sql: str, **params: object) -> object:
    """One value from a query."""
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def failing_declarations(engine: Engine) -> None:
    """Make every registration fail inside the unit of work (an injected fault).

    The autouse fixture of tests/operations/conftest.py removes it after each test.
    """
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER injected_fault BEFORE INSERT ON declarations "
                    "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
                )
            )
            return
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER injected_fault BEFORE INSERT ON declarations "
                "FOR EACH ROW EXECUTE FUNCTION injected_fault()"
            )
        )


def healed(engine: Engine) -> None:
    """Remove the injected fault (if any)."""
    on_table = "" if engine.dialect.name == "sqlite" else " ON declarations"
    with engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER IF EXISTS injected_fault{on_table}"))


def mailbox_partner(
    app: object,
    party_id: str = "BROKER01",
    *also: str,
    subject: str = "broker-01",
    role: str = "broker",
) -> None:
    """Register the subject that owns mailbox folder ``party_id`` (the folder is named by the
    party id of one trader or broker; its files are submitted as that subject, which also
    holds the party ids ``also``)."""
    from clearance.app import LOCAL_OPERATOR, Application
    from clearance.app.actor import Role
    from clearance.app.subjects import NewSubject, add_subject

    assert isinstance(app, Application)
    add_subject(
        app,
        LOCAL_OPERATOR,
        NewSubject(subject, subject, Role(role), party_ids=[f"edi:{p}" for p in (party_id, *also)]),
    )
