"""Exit confirmation clears a released export (结关), once, for the roles that may confirm it.

Sample 02 (an export of office 5316, waiting for an officer) is released; an officer of 5316
confirms its exit: the rebate records become ``confirmed``, ``exit_confirmed`` and ``cleared``
are written once, and the declarant is told where its channel has a notice (the JSON channel;
CUSRES has no code for it, so an EDIFACT declarant gets no answer). A second confirmation
returns the first one and writes nothing. Another office's officer is answered as for an
unknown number; a trader or the admin may not confirm an exit at all.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import (
    Actor,
    Application,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    Role,
)
from clearance.app import declarations as declaration_cases
from clearance.app import declarations_changes as changes
from clearance.app import events as event_cases
from clearance.app import rebates as rebate_cases
from clearance.app.messages import Interchange, submit
from clearance.store.control_tables import REBATE_AWAITING, REBATE_CONFIRMED, RebateRecord
from clearance.store.tables import Declaration, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings
from edi.model import Declaration as CanonicalDeclaration
from tests.integration.invalidation_support import events, release
from tests.integration.test_controls_support import INSTANT, export_interchange, prepare

pytestmark = pytest.mark.db

OPERATOR = Actor.local()
OFFICER_5316 = Actor("officer-5316", Role.OFFICER, offices=frozenset({"5316"}))
SUPERVISOR_5316 = Actor("super-5316", Role.SUPERVISOR, offices=frozenset({"5316"}))
OFFICER_2201 = Actor("officer-2201", Role.OFFICER, offices=frozenset({"2201"}))
EXPORTER = Actor("trader-sz", Role.TRADER, party_ids=frozenset({"91440300MA5DC8E3L9"}))
ADMIN = Actor("admin-1", Role.ADMIN)
LATER = INSTANT + timedelta(days=2)


def _released(engine: Engine, *, over_json: bool = False) -> tuple[Application, str]:
    """Sample 02 submitted and released by an officer (after an amendment over the JSON
    channel when ``over_json``: the declarant's channel is then JSON)."""
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    (d,) = submit(app, OPERATOR, Interchange(export_interchange())).declarations
    assert d.number is not None, d.to_json()
    if over_json:
        shown = declaration_cases.show(app, OPERATOR, d.number).declaration
        edited = CanonicalDeclaration.model_validate({**shown, "remarks": "marks corrected"})
        (amended,) = changes.amend(app, OPERATOR, d.number, edited).declarations
        assert amended.status != "released"  # still waits for the officer's release
    release(engine, d.number, INSTANT)
    return Application(engine, Settings(), FixedClock(LATER)), d.number


def _answers(engine: Engine, number: str) -> list[tuple[str, str, str]]:
    """(format, type, content) of every answer stored about ``number``, oldest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboundMessage.format, OutboundMessage.message_type, OutboundMessage.content)
            .join(Declaration, Declaration.id == OutboundMessage.declaration_id)
            .where(Declaration.number == number)
            .order_by(OutboundMessage.id)
        ).all()
    return [(f, t, c) for f, t, c in rows]


def _record_states(engine: Engine, number: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(RebateRecord.status)
                .where(RebateRecord.declaration_number == number)
                .order_by(RebateRecord.item_sequence)
            )
        )


def test_an_officer_of_the_office_clears_the_export_once(engine: Engine) -> None:
    app, number = _released(engine)
    answers_before = _answers(engine, number)
    assert _record_states(engine, number) == [REBATE_AWAITING, REBATE_AWAITING]

    done = rebate_cases.confirm_exit(app, OFFICER_5316, number)

    assert (done.records, done.already, done.answered) == (2, False, False)
    assert done.confirmed_at == LATER.isoformat()
    assert _record_states(engine, number) == [REBATE_CONFIRMED, REBATE_CONFIRMED]
    assert events(engine, number, "exit_confirmed") == [{"rebate_records": 2}]
    assert events(engine, number, "cleared") == [{"answered": False, "by": "officer-5316"}]
    # An EDIFACT declarant: UNCL 7365 has no "cleared" code, so no CUSRES is made up.
    assert _answers(engine, number) == answers_before

    later = Application(engine, Settings(), FixedClock(LATER + timedelta(hours=5)))
    again = rebate_cases.confirm_exit(later, SUPERVISOR_5316, number)

    assert (again.records, again.already, again.answered) == (0, True, False)
    assert again.confirmed_at == LATER.isoformat()  # the first confirmation's time
    assert len(events(engine, number, "exit_confirmed")) == 1
    assert len(events(engine, number, "cleared")) == 1
    assert _answers(engine, number) == answers_before


def test_a_json_declarant_is_told_its_export_is_cleared_once(engine: Engine) -> None:
    app, number = _released(engine, over_json=True)
    before = _answers(engine, number)
    assert before[-1][0] == "json" and json.loads(before[-1][2])["status"] == "released"

    done = rebate_cases.confirm_exit(app, OPERATOR, number)
    rebate_cases.confirm_exit(app, OPERATOR, number)

    assert done.answered is True
    after = _answers(engine, number)
    assert after[: len(before)] == before
    (added,) = after[len(before) :]
    answer = json.loads(added[2])
    assert (added[0], added[1]) == ("json", "response")
    assert (answer["status"], answer["number"]) == ("cleared", number)
    assert events(engine, number, "cleared") == [{"answered": True, "by": "local-operator"}]


def test_who_may_confirm_an_exit(engine: Engine) -> None:
    app, number = _released(engine)

    with pytest.raises(NotFoundError, match=f"no declaration {number}"):
        rebate_cases.confirm_exit(app, OFFICER_2201, number)
    with pytest.raises(NotPermittedError):
        rebate_cases.confirm_exit(app, EXPORTER, number)
    with pytest.raises(NotPermittedError):
        rebate_cases.confirm_exit(app, ADMIN, number)

    assert _record_states(engine, number) == [REBATE_AWAITING, REBATE_AWAITING]
    assert events(engine, number, "exit_confirmed") == []
    assert events(engine, number, "cleared") == []


def test_the_exporter_reads_that_it_is_cleared_but_not_who_confirmed(engine: Engine) -> None:
    app, number = _released(engine)
    rebate_cases.confirm_exit(app, OFFICER_5316, number)

    seen = [e for e in event_cases.pull(app, EXPORTER, limit=500).events if e.kind == "cleared"]

    assert [(e.declaration_number, e.data) for e in seen] == [(number, {"answered": False})]


def test_an_unreleased_export_is_not_cleared(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    (d,) = submit(app, OPERATOR, Interchange(export_interchange())).declarations
    assert d.number is not None

    with pytest.raises(RefusedError, match="goods exit only after release"):
        rebate_cases.confirm_exit(app, OFFICER_5316, d.number)

    assert events(engine, d.number, "cleared") == []
    assert events(engine, d.number, "exit_confirmed") == []
