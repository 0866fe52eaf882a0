"""Tenancy over roles × use cases, with subjects, mandates and keys as they are made.

Two declarations: sample 01, sent by broker BROKER01 for trader A (consignee USCC
91310000MA1FL0XQ8W) at office 2201; sample 02, sent by trader B (91440300MA5DC8E3L9) itself
at office 5316. Every actor sees exactly its own; another tenant's declaration is
NotFoundError (as an unknown one), and lists and the event log never contain it. On
PostgreSQL, row-level security hides the same rows even with the application's filter removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text, true

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    NotFoundError,
    NotPermittedError,
    Role,
    declarations,
    events,
    messages,
)
from clearance.app import keys as key_cases
from clearance.app import mandates as mandate_cases
from clearance.app import subjects as subject_cases
from clearance.app.identity import authenticate_key
from clearance.app.subjects import NewSubject
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

TRADER_A = "91310000MA1FL0XQ8W"
TRADER_B = "91440300MA5DC8E3L9"

SUBJECTS = (
    NewSubject("trader-a", "Shanghai Ocean Foods", Role.TRADER, party_ids=[TRADER_A]),
    NewSubject("trader-b", "Qianhai Electronics", Role.TRADER, party_ids=[TRADER_B]),
    NewSubject("broker-01", "Pudong Brokerage", Role.BROKER, party_ids=["edi:BROKER01"]),
    NewSubject("broker-09", "Another broker", Role.BROKER, party_ids=["edi:BROKER09"]),
    NewSubject("officer-2201", "Officer 2201", Role.OFFICER, offices=["2201"]),
    NewSubject("officer-5316", "Officer 5316", Role.OFFICER, offices=["5316"]),
    NewSubject("supervisor-2201", "Supervisor 2201", Role.SUPERVISOR, offices=["2201"]),
    NewSubject("agency", "MOFCOM Shanghai", Role.AGENCY, issuers=["MOFCOM Shanghai"]),
    NewSubject("statistician", "Statistician", Role.STATISTICIAN),
)
#: Who sees which sample's declaration (None: the role may not read declarations at all).
SEES: dict[str, set[str] | None] = {
    "trader-a": {"01"},  # made for it by a broker (trader_id)
    "trader-b": {"02"},  # sent by itself
    "broker-01": {"01"},  # sent by it
    "broker-09": {"02"},  # trader B mandated it
    "officer-2201": {"01"},
    "officer-5316": {"02"},
    "supervisor-2201": {"01"},  # scoped to its offices like any officer
    "agency": None,
    "statistician": None,
}
#: Whose inbound messages are whose: by the sender they were filed under.
SEES_MESSAGES: dict[str, set[str]] = {
    "trader-a": set(),
    "trader-b": {"02"},
    "broker-01": {"01"},
    "broker-09": {"02"},  # acting for trader B, it sees what B sent
    "officer-2201": set(),
    "officer-5316": set(),
}


@dataclass
class World:
    app: Application
    actors: dict[str, Actor]
    numbers: dict[str, str]  # sample -> declaration number
    message_ids: dict[str, int]


@pytest.fixture
def world(engine: Engine, clock: FixedClock) -> World:
    app = Application(engine, Settings(), clock)
    numbers, message_ids = {}, {}
    for sample, name in (("01", "01-import-d96b.edi"), ("02", "02-export-d99b-utf8.edi")):
        raw = (SAMPLES / name).read_bytes()
        outcome = messages.submit(app, LOCAL_OPERATOR, messages.Interchange(raw, name))
        (declaration,) = outcome.declarations
        assert declaration.number is not None
        numbers[sample], message_ids[sample] = declaration.number, outcome.message_id
    actors = {}
    for new in SUBJECTS:
        subject_cases.add_subject(app, LOCAL_OPERATOR, new)
    mandate_cases.grant_mandate(app, LOCAL_OPERATOR, "broker-09", TRADER_B)
    for new in SUBJECTS:
        actors[new.id] = authenticate_key(app, key_cases.issue_key(app, LOCAL_OPERATOR, new.id).key)
    return World(app, actors, numbers, message_ids)


def test_the_samples_are_where_the_matrix_expects_them(world: World) -> None:
    one = declarations.show(world.app, LOCAL_OPERATOR, world.numbers["01"])
    two = declarations.show(world.app, LOCAL_OPERATOR, world.numbers["02"])
    assert (one.sender, one.office) == ("BROKER01", "2201")
    assert (two.sender, two.office) == (TRADER_B, "5316")


@pytest.mark.parametrize("subject", sorted(SEES))
def test_show_explain_and_list_declarations(world: World, subject: str) -> None:
    actor, expected = world.actors[subject], SEES[subject]
    app = world.app
    if expected is None:
        with pytest.raises(NotPermittedError):
            declarations.list_declarations(app, actor)
        for number in world.numbers.values():
            with pytest.raises(NotPermittedError):
                declarations.show(app, actor, number)
        return
    listed = {d.number for d in declarations.list_declarations(app, actor)}
    assert listed == {world.numbers[s] for s in expected}
    for sample, number in world.numbers.items():
        if sample in expected:
            detail = declarations.show(app, actor, number)
            assert detail.number == number and detail.responses  # its answers come with it
            assert declarations.explain(app, actor, number).number == number
        else:
            with pytest.raises(NotFoundError) as hidden:
                declarations.show(app, actor, number)
            assert hidden.value.message == f"no declaration {number}"  # as for an unknown one
            with pytest.raises(NotFoundError):
                declarations.explain(app, actor, number)


@pytest.mark.parametrize("subject", sorted(SEES_MESSAGES))
def test_messages_and_events(world: World, subject: str) -> None:
    actor, app = world.actors[subject], world.app
    listed = {m.message_id for m in messages.list_messages(app, actor)}
    assert listed == {world.message_ids[s] for s in SEES_MESSAGES[subject]}
    page = events.pull(app, actor, after=0, limit=1000)
    seen_declarations = {e.declaration_number for e in page.events} - {None}
    seen_messages = {e.message_id for e in page.events}
    expected = SEES[subject] or set()
    assert seen_declarations == {world.numbers[s] for s in expected}
    for sample in ("01", "02"):
        visible = sample in expected or sample in SEES_MESSAGES[subject]
        assert (world.message_ids[sample] in seen_messages) is visible


def test_a_revoked_mandate_hides_the_traders_declarations_again(world: World) -> None:
    app = world.app
    (mandate,) = mandate_cases.list_mandates(app, LOCAL_OPERATOR, broker_id="broker-09")
    mandate_cases.revoke_mandate(app, LOCAL_OPERATOR, mandate.id)
    key = key_cases.issue_key(app, LOCAL_OPERATOR, "broker-09").key
    broker = authenticate_key(app, key)
    assert declarations.list_declarations(app, broker) == []
    with pytest.raises(NotFoundError):
        declarations.show(app, broker, world.numbers["02"])


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")


def test_row_level_security_hides_other_tenants_rows_from_a_raw_query(
    world: World, engine: Engine
) -> None:
    _postgres_only(engine)

    def counts(parties: str, offices: str = "") -> dict[str, int]:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text("SELECT set_config('app.party_ids', :v, true)"), {"v": parties})
            connection.execute(text("SELECT set_config('app.offices', :v, true)"), {"v": offices})
            connection.execute(text("SET LOCAL ROLE customs_tenant"))
            result = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in (
                    "declarations",
                    "inbound_messages",
                    "events",
                    "outbound_messages",
                    "declaration_versions",
                    "declaration_items",
                )
            }
            transaction.rollback()
        return result

    assert set(counts("91000000000000000X,SOMEONE").values()) == {0}
    assert set(counts("").values()) == {0}
    own = counts(TRADER_B)
    assert own["declarations"] == 1 and own["inbound_messages"] == 1
    assert min(own.values()) > 0
    assert counts("", "2201")["declarations"] == 1
    with engine.connect() as connection:  # the table owner (the pipeline) is not restricted
        assert connection.execute(text("SELECT count(*) FROM declarations")).scalar_one() == 2


def test_row_level_security_still_hides_rows_when_the_application_filter_is_gone(
    world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(engine)
    everything: Callable[[Actor], object] = lambda actor: true()  # noqa: E731
    monkeypatch.setattr("clearance.app.queries.declarations_visible", everything)
    monkeypatch.setattr("clearance.app.queries.messages_visible", everything)
    monkeypatch.setattr("clearance.app.queries.events_visible", everything)
    trader_a = world.actors["trader-a"]
    listed = {d.number for d in declarations.list_declarations(world.app, trader_a)}
    assert listed == {world.numbers["01"]}
    assert messages.list_messages(world.app, trader_a) == []
    page = events.pull(world.app, trader_a, after=0, limit=1000)
    assert {e.declaration_number for e in page.events} - {None} == {world.numbers["01"]}
    # Without the guard (the operator) the same query sees both: the filter was really gone.
    assert len(declarations.list_declarations(world.app, LOCAL_OPERATOR)) == 2
