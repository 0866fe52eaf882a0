"""The application layer: one unit of work per use case, and who sees what (one place).

The sample interchange 01 is sent by BROKER01 and registered under office 2201. Another
trader, an officer of another office and roles that may not read declarations must not learn
that it exists: they get NotFoundError for it and lists without it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

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
    tariffs,
)
from clearance.app.documents import Document
from clearance.store.tables import Declaration, Event
from clearance.store.tariff_tables import TariffSchedule
from core.clock import FixedClock
from core.settings import Settings
from tariffs import TariffError
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

BROKER = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))
OTHER_TRADER = Actor("trader-02", Role.TRADER, party_ids=frozenset({"TRADER02"}))
OFFICER_2201 = Actor("O1", Role.OFFICER, offices=frozenset({"2201"}))
OFFICER_5300 = Actor("O2", Role.OFFICER, offices=frozenset({"5300"}))
STATISTICIAN = Actor("S1", Role.STATISTICIAN)


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    return Application(engine, Settings(), clock)


@pytest.fixture
def number(app: Application) -> str:
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    outcome = messages.submit(app, LOCAL_OPERATOR, messages.Interchange(raw, "01.edi"))
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    return declaration.number


def test_a_unit_of_work_commits_on_success_and_rolls_back_on_any_error(app: Application) -> None:
    def fail_half_way() -> None:
        with app.unit() as session:
            session.add(_schedule("rolled-back"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with app.unit() as session:
        session.add(_schedule("kept"))
    with app.read() as session:
        names = session.scalars(select(TariffSchedule.version_id)).all()
    assert names == ["kept"]


def test_a_read_unit_never_commits(app: Application) -> None:
    with app.read() as session:
        session.add(_schedule("never"))
        session.flush()
    with app.read() as session:
        assert session.scalar(select(func.count()).select_from(TariffSchedule)) == 0


def test_a_refused_tariff_file_stores_nothing(app: Application) -> None:
    bad = Document("bad.jsonl", b'{"record": "schedule", "id": 1}\n')
    with pytest.raises(TariffError):
        tariffs.load_schedule(app, LOCAL_OPERATOR, bad)
    assert tariffs.versions(app, LOCAL_OPERATOR) == []


def test_the_sender_and_its_offices_officer_see_the_declaration(
    app: Application, number: str
) -> None:
    for actor in (LOCAL_OPERATOR, BROKER, OFFICER_2201):
        assert declarations.show(app, actor, number).number == number
        listed = [d.number for d in declarations.list_declarations(app, actor)]
        assert listed == [number]
    assert [m.sender for m in messages.list_messages(app, BROKER)] == ["BROKER01"]


def test_another_tenant_gets_not_found_and_empty_lists(app: Application, number: str) -> None:
    for actor in (OTHER_TRADER, OFFICER_5300):
        with pytest.raises(NotFoundError, match=f"no declaration {number}"):
            declarations.show(app, actor, number)
        with pytest.raises(NotFoundError):
            declarations.explain(app, actor, number)
        assert declarations.list_declarations(app, actor) == []
    # The same words as for a number that does not exist at all: nothing is disclosed.
    with pytest.raises(NotFoundError) as unknown:
        declarations.show(app, OTHER_TRADER, "220120269999999999")
    assert str(unknown.value) == "no declaration 220120269999999999"
    assert messages.list_messages(app, OTHER_TRADER) == []


def test_the_event_log_is_filtered_by_tenancy(app: Application, number: str) -> None:
    everything = events.pull(app, LOCAL_OPERATOR, limit=1000).events
    mine = events.pull(app, BROKER, limit=1000).events
    assert [e.id for e in mine] == [e.id for e in everything]  # all of it is the broker's
    assert events.pull(app, OTHER_TRADER, limit=1000).events == []
    officer_kinds = {e.kind for e in events.pull(app, OFFICER_2201, limit=1000).events}
    assert "registered" in officer_kinds and "received" not in officer_kinds
    with app.read() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == len(everything)


def test_roles_that_may_not_read_declarations_are_refused(app: Application, number: str) -> None:
    with pytest.raises(NotPermittedError):
        declarations.list_declarations(app, STATISTICIAN)
    with pytest.raises(NotPermittedError):
        declarations.show(app, Actor("A1", Role.AGENCY), number)


def test_only_the_operator_files_an_interchange_under_another_sender(app: Application) -> None:
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    with pytest.raises(NotPermittedError):
        messages.submit(app, BROKER, messages.Interchange(raw, sender="TRADER02"))
    with app.read() as session:
        assert session.scalar(select(func.count()).select_from(Declaration)) == 0


def _schedule(version_id: str) -> TariffSchedule:
    from datetime import UTC, date, datetime

    return TariffSchedule(
        version_id=version_id,
        name=version_id,
        regime="cn",
        published=date(2026, 1, 1),
        content_hash=version_id,
        filename=f"{version_id}.jsonl",
        content="",
        loaded_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
