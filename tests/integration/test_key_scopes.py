"""Scoped API keys in the store: the scopes are kept with the key, checked against the
subject's role when the key is issued, carried by the actor the key authenticates as, and
kept by the process's cache of verified keys (a cached verification never widens a key)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from clearance.app import Actor, Application, Role
from clearance.app import keys as key_cases
from clearance.app import subjects as subject_cases
from clearance.app.access import Permission, require
from clearance.app.errors import NotPermittedError, RefusedError
from clearance.app.identity import authenticate_key, cached_key_actor
from clearance.app.subjects import NewSubject
from clearance.store.identity_tables import ApiKey
from core.clock import FixedClock
from core.settings import Settings
from tests.sql_support import statements as recorded_statements

pytestmark = pytest.mark.db

ADMIN = Actor("root", Role.ADMIN)


@pytest.fixture
def app(engine: Engine) -> Application:
    application = Application(
        engine, Settings(key_cache_seconds=5), FixedClock(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    )
    subject_cases.add_subject(
        application,
        ADMIN,
        NewSubject("broker-07", "Broker 07", Role.BROKER, party_ids=["edi:BROKER07"]),
    )
    return application


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs while the test does."""
    with recorded_statements(engine) as seen:
        yield seen


def test_a_scoped_key_is_stored_shown_and_acts_within_its_scopes(app: Application) -> None:
    issued = key_cases.issue_key(app, ADMIN, "broker-07", scopes=["quote", "read"])
    assert issued.details.scopes == ["read", "quote"]  # in the order of the permissions
    with app.read() as session:
        stored = session.scalars(select(ApiKey.scopes)).one()
    assert stored == "read quote"
    (listed,) = key_cases.list_keys(app, ADMIN, subject_id="broker-07")
    assert listed.scopes == ["read", "quote"]
    actor = authenticate_key(app, issued.key)
    assert actor.scopes == frozenset({"read", "quote"})
    require(actor, Permission.READ)
    with pytest.raises(NotPermittedError, match="lacks the scope 'submit'"):
        require(actor, Permission.SUBMIT)


def test_an_unscoped_key_keeps_every_permission_of_the_role(app: Application) -> None:
    issued = key_cases.issue_key(app, ADMIN, "broker-07")
    assert issued.details.scopes is None
    actor = authenticate_key(app, issued.key)
    assert actor.scopes is None
    for permission in (Permission.SUBMIT, Permission.RETRY, Permission.READ, Permission.QUOTE):
        require(actor, permission)


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        (["read", "officer"], "scope officer is outside the permissions of subject broker-07's"),
        (["read", "metrics"], "scope metrics is outside the permissions of subject broker-07's"),
        (["read", "everything"], "unknown scope everything: a scope is one of submit, "),
    ],
)
def test_a_scope_outside_the_role_is_refused_and_no_key_is_made(
    app: Application, scopes: list[str], message: str
) -> None:
    with pytest.raises(RefusedError) as refused:
        key_cases.issue_key(app, ADMIN, "broker-07", scopes=scopes)
    assert refused.value.message.startswith(message)
    assert key_cases.list_keys(app, ADMIN) == []


def test_a_cached_verification_keeps_the_keys_scopes(
    app: Application, statements: list[str]
) -> None:
    key = key_cases.issue_key(app, ADMIN, "broker-07", scopes=["read"]).key
    first = authenticate_key(app, key)
    statements.clear()
    cached = cached_key_actor(app, key)
    again = authenticate_key(app, key)
    assert statements == []  # both answered from the cache, not the store
    for actor in (cached, again):
        assert actor is not None
        assert actor.scopes == first.scopes == frozenset({"read"})
        with pytest.raises(NotPermittedError, match="lacks the scope 'submit'"):
            require(actor, Permission.SUBMIT)
