"""The JSON channel and the amend / invalidate use cases built on it (docs/json-channel.md).

Every change goes through the intake: the raw request is stored, deduped on (sender,
sender_reference), registered in one unit of work with the declaration steps, and answered with
a stored JSON response. The use cases check tenancy before anything is stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import Actor, Application, NotFoundError, RefusedError, Role
from clearance.app import declarations as declaration_cases
from clearance.app import declarations_changes as changes
from clearance.app.messages import Interchange, submit
from clearance.intake.pipeline import detect_format
from clearance.store.tables import (
    Declaration,
    DeclarationVersion,
    InboundMessage,
    OutboundMessage,
)
from core.clock import FixedClock
from core.settings import Settings
from edi.model import Declaration as CanonicalDeclaration
from tests.integration.invalidation_support import (
    entries,
    events,
    export_with_licence,
    prepare_export,
    release,
    status,
)
from tests.integration.test_controls_support import CONTROLS, INSTANT, prepare

pytestmark = pytest.mark.db

OPERATOR = Actor.local()
BROKER = Actor("broker-1", Role.BROKER, party_ids=frozenset({"BROKER01"}))
STRANGER = Actor("trader-9", Role.TRADER, party_ids=frozenset({"91110000000000000X"}))


def _app(engine: Engine) -> Application:
    return Application(engine, Settings(), FixedClock(INSTANT))


def _registered(app: Application, sample: str = "08-outlier-price.edi") -> str:
    """A control sample submitted by BROKER01; its number (sample 08 waits for an officer)."""
    raw = (CONTROLS / sample).read_bytes()
    (d,) = submit(app, OPERATOR, Interchange(raw, sample)).declarations
    assert d.number is not None, d.to_json()
    return d.number


def _stored(engine: Engine, number: str) -> tuple[int, dict[str, Any], int]:
    """(version, canonical content, number of stored versions) of ``number``."""
    with Session(engine) as session:
        row = session.scalars(select(Declaration).where(Declaration.number == number)).one()
        versions = session.scalar(
            select(func.count())
            .select_from(DeclarationVersion)
            .where(DeclarationVersion.declaration_id == row.id)
        )
        return row.version, json.loads(row.canonical), int(versions or 0)


def _count(engine: Engine, table: type[InboundMessage] | type[OutboundMessage]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _request(**members: Any) -> bytes:
    return json.dumps(members, ensure_ascii=False, indent=2).encode()


def test_json_requests_are_detected_by_their_first_byte() -> None:
    assert detect_format(b'\xef\xbb\xbf \n {"type": "amendment"}') == "json"
    assert detect_format(b"[1, 2]") is None


def test_an_amendment_changes_the_stored_content_and_version(engine: Engine) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)
    shown = declaration_cases.show(app, OPERATOR, number).declaration
    edited = {**shown, "remarks": "unit price corrected by the broker"}

    outcome = changes.amend(app, BROKER, number, CanonicalDeclaration.model_validate(edited))

    assert (outcome.format, outcome.status.value, outcome.sender) == (
        "json",
        "accepted",
        "BROKER01",
    )
    (d,) = outcome.declarations
    assert (d.number, d.function, d.sender_reference) == (number, "amendment", "CTL-0008")
    answer = json.loads(d.response or "")
    assert (answer["request"], answer["number"], answer["version"]) == ("amendment", number, 2)
    assert answer["status"] == d.status and answer["lane"] == d.lane
    assert outcome.acknowledgement is not None and outcome.acknowledgement.text == d.response
    version, content, stored = _stored(engine, number)
    assert (version, stored) == (2, 2)
    assert content["remarks"] == "unit price corrected by the broker"
    assert content["function"] == "amendment" and content["registered_number"] == number
    assert events(engine, number, "amended") == [{"version": 2}]
    # The new version reserved anew: the licence's earlier reservation was released first.
    assert [kind for kind, _, _ in entries(engine, number)] == ["reserve", "release", "reserve"]
    with Session(engine) as session:
        inbound = session.get(InboundMessage, outcome.message_id)
        assert inbound is not None
        assert (inbound.channel, inbound.format, inbound.message_type) == (
            "api",
            "json",
            "amendment",
        )
        assert json.loads(inbound.raw)["declaration"]["remarks"] == content["remarks"]
        answers = session.scalars(
            select(OutboundMessage).where(OutboundMessage.inbound_message_id == inbound.id)
        ).all()
        assert [(a.format, a.message_type) for a in answers] == [("json", "response")]


def test_an_amendment_naming_an_unknown_office_is_refused_at_its_member(engine: Engine) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)
    shown = declaration_cases.show(app, OPERATOR, number).declaration
    moved = {**shown, "port_office": "2299"}

    outcome = changes.amend(app, BROKER, number, CanonicalDeclaration.model_validate(moved))

    assert outcome.status.value == "accepted"
    (d,) = outcome.declarations
    assert d.status == "rejected"
    (reason,) = d.reasons
    assert (reason.code, reason.segment) == ("JSON004", "declaration.port_office")
    assert reason.text == "port of entry/exit office 2299 is not in the customs-offices registry"
    assert json.loads(d.response or "")["reasons"][0]["code"] == "JSON004"
    version, content, stored = _stored(engine, number)  # nothing applied
    assert (version, stored) == (1, 1) and content["port_office"] != "2299"


def test_an_invalid_body_is_refused_with_its_location_and_nothing_changes(
    engine: Engine,
) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)
    before = _stored(engine, number), entries(engine, number)
    shown = declaration_cases.show(app, OPERATOR, number).declaration
    shown["items"][0]["commodity_code"] = "02X3"
    raw = _request(
        type="amendment",
        number=number,
        sender_reference="A-1",
        sender="BROKER01",
        declaration=shown,
    )
    text = raw.decode()

    outcome = submit(app, OPERATOR, Interchange(raw, "bad.json"))

    assert outcome.status.value == "accepted"  # the request was read; its declaration refused
    (d,) = outcome.declarations
    assert d.status == "rejected" and d.number is None
    (reason,) = d.reasons
    assert (reason.code, reason.segment) == ("JSON003", "declaration.items[0].commodity_code")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"02X3"' in t)
    assert (reason.line, reason.column) == (line, text.splitlines()[line - 1].index('"02X3"') + 1)
    assert json.loads(d.response or "")["reasons"][0]["line"] == line
    assert (_stored(engine, number), entries(engine, number)) == before
    assert events(engine, number, "amended") == []


def test_a_request_that_is_not_json_is_rejected_as_a_whole(engine: Engine) -> None:
    app = _app(engine)
    outcome = submit(app, OPERATOR, Interchange(b'{"type": "amendment",\n  "number": }', "x"))
    assert (outcome.format, outcome.status.value) == ("json", "rejected")
    (error,) = outcome.errors
    assert (error.code, error.line, error.column) == ("JSON001", 2, 13)
    outcome = submit(app, OPERATOR, Interchange(_request(type="amendment", number="1"), "y"))
    assert outcome.status.value == "rejected"
    assert {e.segment for e in outcome.errors} >= {"number", "sender_reference", "declaration"}
    assert _count(engine, OutboundMessage) == 2  # each got its JSON answer


def test_a_resend_is_a_duplicate_and_a_reused_reference_is_refused(engine: Engine) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)
    shown = declaration_cases.show(app, OPERATOR, number).declaration
    raw = _request(
        type="amendment",
        number=number,
        sender_reference="A-7",
        sender="BROKER01",
        declaration=shown,
    )
    first = submit(app, OPERATOR, Interchange(raw, "a.json"))
    again = submit(app, OPERATOR, Interchange(raw, "a.json"))

    assert first.declarations[0].status != "rejected", first.to_json()
    assert again.status.value == "duplicate"
    assert again.acknowledgement is not None and first.acknowledgement is not None
    assert again.acknowledgement.text == first.acknowledgement.text
    assert _stored(engine, number)[0] == 2  # applied once

    other = _request(
        type="cancellation", number=number, sender_reference="A-7", sender="BROKER01", reason="x"
    )
    reused = submit(app, OPERATOR, Interchange(other, "b.json"))
    assert reused.status.value == "rejected"
    assert "A-7 was already used by sender BROKER01" in reused.errors[0].text
    assert status(engine, number) != "invalidated"

    # The use case: the same explicit reference and content is the same request again.
    declaration = CanonicalDeclaration.model_validate(shown)
    one = changes.amend(app, BROKER, number, declaration, reference="IDEMP-1")
    two = changes.amend(app, BROKER, number, declaration, reference="IDEMP-1")
    assert (one.status.value, two.status.value) == ("accepted", "duplicate")
    assert _stored(engine, number)[0] == 3


def test_invalidate_before_release_gives_the_ledgers_back(engine: Engine) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)

    outcome = changes.invalidate(app, BROKER, number, "goods sold locally")

    (d,) = outcome.declarations
    assert (d.status, d.function) == ("invalidated", "cancellation")
    assert json.loads(d.response or "")["status"] == "invalidated"
    assert status(engine, number) == "invalidated"
    assert [kind for kind, _, _ in entries(engine, number)] == ["reserve", "release"]
    assert events(engine, number, "invalidated") == [{"version": 2, "after_release": False}]
    version, content, _ = _stored(engine, number)
    assert version == 2 and content["items"]  # the content stays the last version's
    with Session(engine) as session:
        cancellation = session.scalars(
            select(DeclarationVersion.canonical).where(DeclarationVersion.version == 2)
        ).one()
    assert json.loads(cancellation)["remarks"] == "goods sold locally"


def test_invalidate_after_release_only_in_a_listed_case(engine: Engine, tmp_path: Path) -> None:
    prepare_export(engine, tmp_path)
    app = _app(engine)
    (imported,) = submit(
        app, OPERATOR, Interchange((CONTROLS / "01-valid-licence.edi").read_bytes())
    ).declarations
    assert imported.number is not None and imported.status == "released"  # green and clean

    (refused,) = changes.invalidate(app, OPERATOR, imported.number, "wrong port").declarations

    assert refused.status == "rejected"
    assert refused.reasons[0].code == "REF"
    assert refused.reasons[0].text == (
        f"declaration {imported.number} is released; invalidation after release only in listed "
        "cases: EXPORT_NOT_EXITED (export whose exit is not confirmed): the declaration is an "
        "import"
    )
    assert status(engine, imported.number) == "released"
    assert [kind for kind, _, _ in entries(engine, imported.number)] == ["reserve", "consume"]

    # An export released and not exited is a listed case: invalidated, the licence given back.
    (exported,) = submit(app, OPERATOR, Interchange(export_with_licence())).declarations
    assert exported.number is not None
    release(engine, exported.number, INSTANT)
    (done,) = changes.invalidate(app, OPERATOR, exported.number, "shut out").declarations
    assert done.status == "invalidated"
    assert events(engine, exported.number, "invalidated")[0]["listed_case"] == "EXPORT_NOT_EXITED"
    assert [k for k, _, _ in entries(engine, exported.number)] == ["reserve", "consume", "return"]

    # No amendment after release.
    shown = declaration_cases.show(app, OPERATOR, imported.number).declaration
    amended = CanonicalDeclaration.model_validate(shown)
    (late,) = changes.amend(app, OPERATOR, imported.number, amended).declarations
    assert late.reasons[0].text == f"declaration {imported.number} is already released"


def test_another_senders_declaration_is_not_found_and_nothing_is_stored(engine: Engine) -> None:
    prepare(engine)
    app = _app(engine)
    number = _registered(app)
    shown = declaration_cases.show(app, OPERATOR, number).declaration
    received = _count(engine, InboundMessage)

    with pytest.raises(NotFoundError):
        changes.invalidate(app, STRANGER, number, "not mine")
    with pytest.raises(NotFoundError):
        changes.amend(app, STRANGER, number, CanonicalDeclaration.model_validate(shown))

    with pytest.raises(RefusedError, match="reason"):
        changes.invalidate(app, BROKER, number, "")  # refused before anything is stored

    assert _count(engine, InboundMessage) == received
    assert status(engine, number) != "invalidated"
