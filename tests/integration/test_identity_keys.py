"""Subjects and API keys: a key identifies its subject until it is revoked, expires, or the
subject is disabled; every refusal reads the same; only the key's hash is ever stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from clearance.app import Actor, Application, NotPermittedError, RefusedError, Role
from clearance.app import keys as key_cases
from clearance.app import mandates as mandate_cases
from clearance.app import subjects as subject_cases
from clearance.app.errors import ConflictError, NotFoundError
from clearance.app.identity import (
    NOT_AUTHENTICATED,
    NotAuthenticatedError,
    authenticate_key,
    authenticate_password,
)
from clearance.app.subjects import NewSubject
from clearance.store.identity_tables import ApiKey, Subject
from core.settings import Settings

pytestmark = pytest.mark.db

ADMIN = Actor("root", Role.ADMIN)
USCC_A = "91310000MA1FL0XQ8W"
USCC_B = "91320500MA1MPCR7WX"


class StepClock:
    """A clock the test moves forward."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


@pytest.fixture
def steps() -> StepClock:
    return StepClock(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))


@pytest.fixture
def app(engine: Engine, steps: StepClock) -> Application:
    return Application(engine, Settings(), steps)


def _trader(app: Application, subject: str = "acme", party: str = USCC_A) -> None:
    subject_cases.add_subject(
        app, ADMIN, NewSubject(subject, "Acme Trading", Role.TRADER, party_ids=[party])
    )


def test_an_issued_key_identifies_its_subject_and_is_stored_only_as_a_hash(
    app: Application, engine: Engine
) -> None:
    _trader(app)
    issued = key_cases.issue_key(app, ADMIN, "acme", label="edi client")
    assert issued.key.startswith("gck_")
    actor = authenticate_key(app, issued.key)
    assert actor == Actor("acme", Role.TRADER, party_ids=frozenset({USCC_A}))
    with engine.connect() as connection:
        stored = " ".join(
            str(value)
            for row in connection.execute(text("SELECT * FROM api_keys"))
            for value in row
        )
    secret = issued.key.split("_", 2)[2]  # the secret itself may contain "_"
    assert secret not in stored and issued.key not in stored
    with app.read() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.last_used_at is not None
    assert "key" not in key_cases.list_keys(app, ADMIN)[0].as_json()


@pytest.mark.parametrize(
    "presented",
    ["", "gck_", "not-a-key", "gck_000000000000_wrong", "Bearer x", "gck_zzzzzzzzzzzz_x"],
)
def test_malformed_or_unknown_keys_are_refused_with_the_one_message(
    app: Application, presented: str
) -> None:
    _trader(app)
    key_cases.issue_key(app, ADMIN, "acme")
    with pytest.raises(NotAuthenticatedError) as refused:
        authenticate_key(app, presented)
    assert refused.value.message == NOT_AUTHENTICATED


def test_a_key_with_a_wrong_secret_is_refused(app: Application) -> None:
    _trader(app)
    key = key_cases.issue_key(app, ADMIN, "acme").key
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(NotAuthenticatedError) as refused:
        authenticate_key(app, forged)
    assert refused.value.message == NOT_AUTHENTICATED


def test_revoked_expired_and_disabled_keys_are_refused_alike(
    app: Application, steps: StepClock
) -> None:
    _trader(app)
    _trader(app, "other", USCC_B)
    revoked = key_cases.issue_key(app, ADMIN, "acme")
    expiring = key_cases.issue_key(
        app, ADMIN, "acme", expires_at=steps.instant + timedelta(hours=1)
    )
    of_disabled = key_cases.issue_key(app, ADMIN, "other")
    for key in (revoked.key, expiring.key, of_disabled.key):
        authenticate_key(app, key)  # each works first

    key_cases.revoke_key(app, ADMIN, revoked.details.key_id)
    steps.instant += timedelta(hours=1)
    subject_cases.disable_subject(app, ADMIN, "other")

    messages = set()
    for key in (revoked.key, expiring.key, of_disabled.key):
        with pytest.raises(NotAuthenticatedError) as refused:
            authenticate_key(app, key)
        messages.add(refused.value.message)
    assert messages == {NOT_AUTHENTICATED}
    with pytest.raises(RefusedError):
        key_cases.issue_key(app, ADMIN, "other")


def test_a_key_cannot_be_issued_already_expired_or_for_nobody(
    app: Application, steps: StepClock
) -> None:
    _trader(app)
    with pytest.raises(RefusedError):
        key_cases.issue_key(app, ADMIN, "acme", expires_at=steps.instant)
    with pytest.raises(NotFoundError):
        key_cases.issue_key(app, ADMIN, "nobody")
    with pytest.raises(NotFoundError):
        key_cases.revoke_key(app, ADMIN, "000000000000")


def test_passwords_are_argon2id_hashes_and_refusals_do_not_name_users(app: Application) -> None:
    subject_cases.add_subject(
        app,
        ADMIN,
        NewSubject("li.wei", "Li Wei", Role.OFFICER, offices=["2201"], password="correct horse 9"),
    )
    with app.read() as session:
        stored = session.get(Subject, "li.wei")
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert "correct horse" not in stored.password_hash
    actor = authenticate_password(app, "li.wei", "correct horse 9")
    assert actor == Actor("li.wei", Role.OFFICER, offices=frozenset({"2201"}))
    answers = set()
    for user, password in (("li.wei", "wrong"), ("nobody", "correct horse 9"), ("", "")):
        with pytest.raises(NotAuthenticatedError) as refused:
            authenticate_password(app, user, password)
        answers.add(refused.value.message)
    assert answers == {NOT_AUTHENTICATED}
    subject_cases.disable_subject(app, ADMIN, "li.wei")
    with pytest.raises(NotAuthenticatedError):
        authenticate_password(app, "li.wei", "correct horse 9")


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (NewSubject("t1", "T", Role.TRADER), "needs its party id"),
        (NewSubject("t1", "T", Role.TRADER, party_ids=["91310000MA1FL0XQ8X"]), "invalid USCC"),
        (NewSubject("t1", "T", Role.TRADER, party_ids=["GB12"]), "GB/XI EORIs"),
        (NewSubject("o1", "O", Role.OFFICER), "offices it works for"),
        (NewSubject("o1", "O", Role.OFFICER, offices=["22"]), "4 digits"),
        (NewSubject("Bad Id", "B", Role.ADMIN), "subject id"),
        (NewSubject("op", "O", Role.OPERATOR), "operator"),
        (NewSubject("ag", "A", Role.AGENCY), "issuer name"),
    ],
)
def test_subjects_are_checked_on_entry(app: Application, new: NewSubject, problem: str) -> None:
    with pytest.raises(RefusedError) as refused:
        subject_cases.add_subject(app, ADMIN, new)
    assert problem in refused.value.message
    assert subject_cases.list_subjects(app, ADMIN) == []


def test_a_subject_id_is_taken_once(app: Application) -> None:
    _trader(app)
    with pytest.raises(ConflictError):
        _trader(app)


def test_only_an_admin_manages_subjects_and_keys(app: Application) -> None:
    _trader(app)
    trader = Actor("acme", Role.TRADER, party_ids=frozenset({USCC_A}))
    with pytest.raises(NotPermittedError):
        subject_cases.list_subjects(app, trader)
    with pytest.raises(NotPermittedError):
        key_cases.issue_key(app, trader, "acme")
    with pytest.raises(NotPermittedError):
        subject_cases.add_subject(app, trader, NewSubject("x1", "X", Role.ADMIN))


def test_describe_tells_who_the_caller_is_and_what_it_acts_as(app: Application) -> None:
    subject_cases.add_subject(
        app, ADMIN, NewSubject("brk", "Broker", Role.BROKER, party_ids=["edi:BROKER01"])
    )
    mandate_cases.grant_mandate(app, ADMIN, "brk", USCC_A, valid_from=date(2026, 12, 1))
    key = key_cases.issue_key(app, ADMIN, "brk").key
    who = subject_cases.describe(app, authenticate_key(app, key))
    assert who.subject == "brk" and who.name == "Broker" and who.role == "broker"
    assert who.party_ids == sorted(["BROKER01", USCC_A])
    assert who.own_party_ids == ["BROKER01"]
    assert "submit" in who.permissions and "identity" not in who.permissions


def test_last_used_is_written_at_most_once_a_minute(app: Application, steps: StepClock) -> None:
    _trader(app)
    key = key_cases.issue_key(app, ADMIN, "acme").key
    start = steps.instant

    def last_used() -> str | None:
        return key_cases.list_keys(app, ADMIN)[0].last_used_at

    assert last_used() is None
    authenticate_key(app, key)
    assert last_used() == start.isoformat()
    steps.instant = start + timedelta(seconds=59)
    authenticate_key(app, key)
    assert last_used() == start.isoformat()  # a busy client is not a write per request
    steps.instant = start + timedelta(seconds=60)
    authenticate_key(app, key)
    assert last_used() == steps.instant.isoformat()


def test_an_officer_is_given_registered_offices_only(app: Application) -> None:
    refused = NewSubject("o-9999", "O", Role.OFFICER, offices=["2201", "9999"])
    with pytest.raises(RefusedError, match="not in the customs-offices registry: 9999"):
        subject_cases.add_subject(app, ADMIN, refused)
    assert subject_cases.list_subjects(app, ADMIN) == []  # nothing written
    supervisor = NewSubject("s-2201", "S", Role.SUPERVISOR, offices=["2201", "5316"])
    assert subject_cases.add_subject(app, ADMIN, supervisor).offices == ["2201", "5316"]


@pytest.mark.no_offices
def test_no_office_is_assigned_while_the_registry_is_empty(app: Application) -> None:
    new = NewSubject("o-2201", "O", Role.OFFICER, offices=["2201"])
    with pytest.raises(RefusedError, match=r"registry is empty.*customs offices load"):
        subject_cases.add_subject(app, ADMIN, new)
    assert subject_cases.list_subjects(app, ADMIN) == []
    # A subject without offices is not concerned.
    trader = NewSubject("t-1", "T", Role.TRADER, party_ids=[USCC_A])
    assert subject_cases.add_subject(app, ADMIN, trader).offices == []
