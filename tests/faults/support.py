"""What the fault tests share: distinct interchanges, the exactly-once check, a submitter."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import queueing as queue_cases
from clearance.app.actor import Role
from clearance.app.errors import StoreUnavailableError
from clearance.app.keys import issue_key
from clearance.app.messages import Interchange
from clearance.app.subjects import NewSubject, add_subject
from tests.golden_support import SAMPLES

IMPORT = (SAMPLES / "01-import-d96b.edi").read_bytes()
_CONTROL = b"IC0000001"
_REFERENCE = b"BRK-2026-0001"


def interchange(n: int) -> bytes:
    """Sample 01 (one import declaration from BROKER01) with its own control reference and
    declaration reference: ``n`` different interchanges, none a duplicate of another."""
    assert IMPORT.count(_CONTROL) == 2 and IMPORT.count(_REFERENCE) == 1
    return IMPORT.replace(_CONTROL, f"IC{n:07d}".encode()).replace(
        _REFERENCE, f"BRK-2026-{n:04d}".encode()
    )


def broker_key(app: Application) -> str:
    """An API key of a broker that files as BROKER01 (the samples' sender)."""
    add_subject(
        app,
        LOCAL_OPERATOR,
        NewSubject("broker-01", "Broker 01", Role.BROKER, party_ids=["edi:BROKER01"]),
    )
    return issue_key(app, LOCAL_OPERATOR, "broker-01").key


@dataclass
class Submitter:
    """A client that queues interchanges one after another in a thread, and sends one again
    when the store is away (as a client told 503 + Retry-After would)."""

    app: Application
    first: int
    count: int
    #: Wait after this many until ``go`` is set (so that the rest meet the fault).
    pause_at: int | None = None
    go: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    refused: int = 0
    error: BaseException | None = None
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name="submitter", daemon=True)

    def start(self) -> Submitter:
        """Start submitting."""
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            for n in range(self.first, self.first + self.count):
                if self.done == self.pause_at:
                    self.go.wait(120)
                while True:
                    try:
                        queue_cases.enqueue(self.app, LOCAL_OPERATOR, Interchange(interchange(n)))
                        break
                    except StoreUnavailableError:
                        self.refused += 1
                        time.sleep(0.2)  # the client's Retry-After, shortened
                self.done += 1
                time.sleep(0.05)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def join(self, timeout: float) -> None:
        """Wait for the last submission; fail on the submitter's own error."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the submitter did not finish in time"
        if self.error is not None:
            raise self.error


def rows(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Every row of a query."""
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql), params)]


def value(engine: Engine, sql: str, **params: object) -> object:
    """One value of a query."""
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def settled(engine: Engine) -> bool:
    """Nothing left to do: no message received or failed, no job waiting or running."""
    try:
        waiting = value(
            engine,
            "SELECT (SELECT count(*) FROM inbound_messages WHERE status IN ('received', 'failed'))"
            " + (SELECT count(*) FROM procrastinate.procrastinate_jobs "
            "WHERE status IN ('todo', 'doing'))",
        )
    except Exception:  # the store is still coming back
        return False
    return waiting == 0


def assert_each_registered_once(engine: Engine, references: set[str]) -> None:
    """Each interchange's declaration registered exactly once, answered once, none lost.

    A message sent again by a client that was told the store was away is a duplicate of the
    first (answered with the first's acknowledgement), never a second registration.
    """
    registered = rows(
        engine,
        "SELECT m.control_reference, count(d.id) FROM inbound_messages m "
        "JOIN declarations d ON d.inbound_message_id = m.id GROUP BY 1",
    )
    assert {str(r) for r, _ in registered} == references, "a declaration is missing"
    assert all(n == 1 for _, n in registered), registered
    assert value(engine, "SELECT count(*) FROM declarations") == len(references)
    assert value(engine, "SELECT count(*) FROM events WHERE kind = 'registered'") == len(references)
    statuses = {
        str(status): n
        for status, n in rows(engine, "SELECT status, count(*) FROM inbound_messages GROUP BY 1")
    }
    assert set(statuses) <= {"accepted", "duplicate"}, statuses
    twice = rows(
        engine,
        "SELECT inbound_message_id, message_type, count(*) FROM outbound_messages "
        "GROUP BY 1, 2 HAVING count(*) > 1",
    )
    assert twice == [], f"answered twice: {twice}"
    assert value(engine, "SELECT count(*) FROM events WHERE kind = 'failed'") == 0
