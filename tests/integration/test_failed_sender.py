"""A message that fails mid-processing is filed under the sender its envelope names.

The flows file a message under the envelope's sender (UNB, ISA06, the XML declarant) once
they have read it and the sender check has passed; a failure later in the unit of work used
to roll that back with the rest, and the failed message was listed as ``UNKNOWN``: hidden from
the sender's own subject, and shown to nobody as theirs. The tenancy is unchanged otherwise:
another trader still does not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    NotFoundError,
    ProcessingError,
    Role,
    messages,
)
from clearance.app import message_files as files
from clearance.app.messages import Interchange
from clearance.flow.outcome import DeclarationOutcome
from clearance.lifecycle.registration import Registered
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

XML = SAMPLES.parent / "xml"
#: (file, the sender its envelope names) for EDIFACT's UNB and DEC-DMS's declarant.
ENVELOPES = [
    (SAMPLES / "01-import-d96b.edi", "BROKER01"),
    (XML / "dec-dms-import.xml", "GB553202734852"),
]
OTHER = Actor("trader-other", Role.TRADER, party_ids=frozenset({"BROKER02"}))


def _explode(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
    raise RuntimeError("tariff service unavailable")


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    application = Application(engine, Settings(), clock)
    application.pipeline.steps = [*application.pipeline.steps, _explode]
    return application


def _submitted(app: Application, raw: bytes) -> int:
    """The operator's ``customs submit`` (no sender named at receipt); the failed message."""
    with pytest.raises(ProcessingError) as failed:
        messages.submit(app, LOCAL_OPERATOR, Interchange(raw, "in.dat"))
    return failed.value.message_id


def _queued(app: Application, raw: bytes) -> int:
    """Received first, processed later by a worker (the API's queued path, the mailbox)."""
    message_id = app.pipeline.receive(raw, filename="in.dat", channel="api")
    with pytest.raises(ProcessingError):
        app.pipeline.process_stored(message_id)
    return message_id


@pytest.mark.parametrize("path", [_submitted, _queued], ids=["submit", "worker"])
@pytest.mark.parametrize(("sample", "sender"), ENVELOPES, ids=["edifact", "dec-dms"])
def test_a_failed_message_is_listed_under_its_sender_and_seen_by_it_only(
    app: Application,
    path: Callable[[Application, bytes], int],
    sample: Path,
    sender: str,
) -> None:
    message_id = path(app, sample.read_bytes())
    (listed,) = messages.list_messages(app, LOCAL_OPERATOR)
    assert (listed.message_id, listed.status, listed.sender) == (message_id, "failed", sender)
    assert listed.error is not None and "tariff service unavailable" in listed.error

    own = Actor("trader-own", Role.TRADER, party_ids=frozenset({sender}))
    assert [m.message_id for m in messages.list_messages(app, own)] == [message_id]
    assert files.show(app, own, message_id).status == "failed"
    assert messages.list_messages(app, OTHER) == []
    with pytest.raises(NotFoundError):
        files.show(app, OTHER, message_id)


@pytest.mark.parametrize("path", [_submitted, _queued], ids=["submit", "worker"])
def test_a_failed_decmessage_is_seen_by_both_of_its_declarant_s_ids(
    app: Application, path: Callable[[Application, bytes], int]
) -> None:
    # Filed under the declarant's USCC with its customs code beside it, failed or not.
    code, uscc = "3122480123", "913100006072103486"
    message_id = path(app, (XML / "decmessage-import.xml").read_bytes())
    (listed,) = messages.list_messages(app, LOCAL_OPERATOR)
    assert (listed.message_id, listed.status, listed.sender) == (message_id, "failed", uscc)
    for party in (code, uscc):
        own = Actor(f"trader-{party}", Role.TRADER, party_ids=frozenset({party}))
        assert [m.message_id for m in messages.list_messages(app, own)] == [message_id]
    assert messages.list_messages(app, OTHER) == []
