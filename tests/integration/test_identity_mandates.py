"""Mandates: a broker acts for a trader only on the days the trader's mandate is in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from clearance.app import Actor, Application, NotFoundError, NotPermittedError, RefusedError, Role
from clearance.app import keys as key_cases
from clearance.app import mandates as mandate_cases
from clearance.app import subjects as subject_cases
from clearance.app.identity import authenticate_key
from clearance.app.subjects import NewSubject
from core.settings import Settings

pytestmark = pytest.mark.db

ADMIN = Actor("root", Role.ADMIN)
USCC_A = "91310000MA1FL0XQ8W"
USCC_B = "91320500MA1MPCR7WX"
TRADER_A = Actor("acme", Role.TRADER, party_ids=frozenset({USCC_A}))


class StepClock:
    """A clock the test moves forward."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


@pytest.fixture
def steps() -> StepClock:
    # 2026-12-05 02:00 UTC is 10:00 on 2026-12-05 in Shanghai, the administration's zone.
    return StepClock(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))


@pytest.fixture
def app(engine: Engine, steps: StepClock) -> Application:
    application = Application(engine, Settings(), steps)
    subject_cases.add_subject(
        application, ADMIN, NewSubject("brk", "Broker", Role.BROKER, party_ids=["edi:BROKER01"])
    )
    return application


def _acts_for(app: Application, key: str) -> frozenset[str]:
    return authenticate_key(app, key).party_ids - {"BROKER01"}


def test_the_broker_acts_for_traders_whose_mandate_is_in_force_today(
    app: Application, steps: StepClock
) -> None:
    key = key_cases.issue_key(app, ADMIN, "brk").key
    mandate_cases.grant_mandate(
        app, ADMIN, "brk", USCC_A, valid_from=date(2026, 12, 1), valid_to=date(2026, 12, 31)
    )
    mandate_cases.grant_mandate(app, ADMIN, "brk", USCC_B, valid_from=date(2026, 12, 6))
    assert _acts_for(app, key) == {USCC_A}

    steps.instant += timedelta(days=1)  # 12-06: B's mandate starts
    assert _acts_for(app, key) == {USCC_A, USCC_B}

    steps.instant = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 on 12-31 in Shanghai
    assert _acts_for(app, key) == {USCC_A, USCC_B}
    steps.instant += timedelta(minutes=1)  # 2027-01-01 in Shanghai: A's mandate has ended
    assert _acts_for(app, key) == {USCC_B}


def test_a_revoked_mandate_ends_at_once(app: Application) -> None:
    key = key_cases.issue_key(app, ADMIN, "brk").key
    mandate = mandate_cases.grant_mandate(app, ADMIN, "brk", USCC_A)
    assert mandate.in_force and _acts_for(app, key) == {USCC_A}
    revoked = mandate_cases.revoke_mandate(app, ADMIN, mandate.id)
    assert revoked.revoked_at is not None and not revoked.in_force
    assert _acts_for(app, key) == frozenset()


def test_a_trader_grants_and_revokes_only_its_own_mandates(app: Application) -> None:
    own = mandate_cases.grant_mandate(app, TRADER_A, "brk", USCC_A)
    other = mandate_cases.grant_mandate(app, ADMIN, "brk", USCC_B)
    with pytest.raises(NotPermittedError):
        mandate_cases.grant_mandate(app, TRADER_A, "brk", USCC_B)
    assert [m.id for m in mandate_cases.list_mandates(app, TRADER_A)] == [own.id]
    with pytest.raises(NotFoundError):  # another trader's mandate: as if it did not exist
        mandate_cases.revoke_mandate(app, TRADER_A, other.id)
    mandate_cases.revoke_mandate(app, TRADER_A, own.id)
    broker = Actor("brk", Role.BROKER)
    assert [m.id for m in mandate_cases.list_mandates(app, broker)] == [own.id, other.id]
    assert mandate_cases.list_mandates(app, Actor("brk2", Role.BROKER)) == []


def test_mandates_go_to_brokers_only_and_run_forwards(app: Application) -> None:
    subject_cases.add_subject(
        app, ADMIN, NewSubject("acme", "Acme", Role.TRADER, party_ids=[USCC_A])
    )
    with pytest.raises(NotFoundError):
        mandate_cases.grant_mandate(app, ADMIN, "acme", USCC_B)
    with pytest.raises(RefusedError):
        mandate_cases.grant_mandate(
            app, ADMIN, "brk", USCC_A, valid_from=date(2026, 12, 5), valid_to=date(2026, 12, 4)
        )
    with pytest.raises(RefusedError):
        mandate_cases.grant_mandate(app, ADMIN, "brk", "91310000MA1FL0XQ8X")
