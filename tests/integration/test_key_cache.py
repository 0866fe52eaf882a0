"""The cache of verified API keys: it saves the store's work, and never outlives what made
the key valid (revocation in the same process at once, expiry, the time to live, the day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from clearance.app import Actor, Application, Role
from clearance.app import keys as key_cases
from clearance.app import mandates as mandate_cases
from clearance.app import subjects as subject_cases
from clearance.app.identity import NotAuthenticatedError, authenticate_key, cached_key_actor
from clearance.app.key_cache import KeyCache
from clearance.app.subjects import NewSubject
from core.settings import Settings
from tests.sql_support import statements as recorded_statements

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
    return Application(engine, Settings(key_cache_seconds=5), steps)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs while the test does."""
    with recorded_statements(engine) as seen:
        yield seen


def _trader(app: Application, subject: str = "acme", party: str = USCC_A) -> str:
    subject_cases.add_subject(
        app, ADMIN, NewSubject(subject, "Acme Trading", Role.TRADER, party_ids=[party])
    )
    return key_cases.issue_key(app, ADMIN, subject).key


def test_a_key_verified_lately_costs_the_store_nothing(
    app: Application, statements: list[str]
) -> None:
    key = _trader(app)
    first = authenticate_key(app, key)
    statements.clear()
    for _ in range(3):
        assert authenticate_key(app, key) == first
    assert statements == []
    assert cached_key_actor(app, key) == first


def test_a_revoked_key_is_refused_at_once_in_the_process_that_revoked_it(
    app: Application,
) -> None:
    key = _trader(app)
    authenticate_key(app, key)
    assert cached_key_actor(app, key) is not None
    key_cases.revoke_key(app, ADMIN, key.split("_")[1])
    assert cached_key_actor(app, key) is None
    with pytest.raises(NotAuthenticatedError):
        authenticate_key(app, key)


def test_a_disabled_subject_and_a_revoked_mandate_take_effect_at_once(
    app: Application,
) -> None:
    key = _trader(app)
    subject_cases.add_subject(
        app, ADMIN, NewSubject("broker-09", "Broker 09", Role.BROKER, party_ids=["edi:B09"])
    )
    mandate = mandate_cases.grant_mandate(app, ADMIN, "broker-09", USCC_A)
    broker_key = key_cases.issue_key(app, ADMIN, "broker-09").key
    assert USCC_A in authenticate_key(app, broker_key).party_ids
    authenticate_key(app, key)

    mandate_cases.revoke_mandate(app, ADMIN, mandate.id)
    assert USCC_A not in authenticate_key(app, broker_key).party_ids
    subject_cases.disable_subject(app, ADMIN, "acme")
    with pytest.raises(NotAuthenticatedError):
        authenticate_key(app, key)


def test_a_revocation_elsewhere_is_noticed_within_the_time_to_live(
    app: Application, engine: Engine, steps: StepClock
) -> None:
    # Another process (the CLI, another server) revokes in the store only: this process
    # believes its cached key for at most CUSTOMS_KEY_CACHE_SECONDS more, never longer.
    key = _trader(app)
    authenticate_key(app, key)
    elsewhere = Application(engine, Settings(key_cache_seconds=5), steps)
    key_cases.revoke_key(elsewhere, ADMIN, key.split("_")[1])
    steps.instant += timedelta(seconds=4)
    authenticate_key(app, key)  # within the time to live: still believed
    steps.instant += timedelta(seconds=1)
    with pytest.raises(NotAuthenticatedError):
        authenticate_key(app, key)


def test_a_cached_key_is_refused_the_moment_it_expires(app: Application, steps: StepClock) -> None:
    _trader(app)
    key = key_cases.issue_key(
        app, ADMIN, "acme", expires_at=steps.instant + timedelta(seconds=2)
    ).key
    authenticate_key(app, key)
    steps.instant += timedelta(seconds=1)
    assert cached_key_actor(app, key) is not None
    steps.instant += timedelta(seconds=1)  # expired, though the cache's 5 s are not over
    assert cached_key_actor(app, key) is None
    with pytest.raises(NotAuthenticatedError):
        authenticate_key(app, key)


def test_only_the_whole_key_finds_a_cached_entry(app: Application) -> None:
    key = _trader(app)
    authenticate_key(app, key)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")  # same key id
    assert cached_key_actor(app, forged) is None
    with pytest.raises(NotAuthenticatedError):
        authenticate_key(app, forged)
    assert len(app.key_cache) == 1  # a failure is never cached


def test_last_used_is_still_recorded_about_once_a_minute(
    app: Application, steps: StepClock, statements: list[str]
) -> None:
    key = _trader(app)
    authenticate_key(app, key)
    steps.instant += timedelta(seconds=61)
    statements.clear()
    authenticate_key(app, key)  # the entry is past its TTL and last_used_at is stale
    assert any(s.lstrip().upper().startswith("UPDATE API_KEYS") for s in statements)
    assert key_cases.list_keys(app, ADMIN)[0].last_used_at == steps.instant.isoformat()


def test_with_no_time_to_live_every_request_asks_the_store(
    engine: Engine, steps: StepClock, statements: list[str]
) -> None:
    app = Application(engine, Settings(key_cache_seconds=0), steps)
    key = _trader(app)
    authenticate_key(app, key)
    statements.clear()
    authenticate_key(app, key)
    assert statements and len(app.key_cache) == 0


ACTOR = Actor("acme", Role.TRADER, party_ids=frozenset({USCC_A}))
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 5)


def _put(cache: KeyCache, key_hash: str, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "generation": cache.generation,
        "key_id": "k",
        "actor": ACTOR,
        "day": TODAY,
        "now": NOW,
        "expires_at": None,
        "last_used_at": NOW,
    }
    cache.put(key_hash, **{**fields, **overrides})


def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    cache = KeyCache(5, max_entries=3)
    for name in ("a", "b", "c"):
        _put(cache, name)
    assert cache.get("a", NOW, TODAY) is not None  # "b" is now the least recently used
    _put(cache, "d")
    assert len(cache) == 3
    assert cache.get("b", NOW, TODAY) is None
    assert all(cache.get(n, NOW, TODAY) is not None for n in ("a", "c", "d"))


def test_an_entry_read_before_a_change_is_not_stored_after_it() -> None:
    # A verification that read the key before a revocation committed must not store it after
    # the revocation emptied the cache.
    cache = KeyCache(5)
    taken = cache.generation
    cache.clear()
    _put(cache, "a", generation=taken)
    assert cache.get("a", NOW, TODAY) is None


def test_an_entry_ends_with_its_day() -> None:
    # Mandates are dated: an actor computed yesterday is not believed today.
    cache = KeyCache(5)
    _put(cache, "a")
    assert cache.get("a", NOW, TODAY + timedelta(days=1)) is None
