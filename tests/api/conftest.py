"""The API over a migrated store (SQLite and PostgreSQL), called through httpx.

Until subjects and keys are issued by the identity module, requests authenticate with the
tokens of :data:`TOKENS` through a test authenticator plugged into ``build``: the API's own
header handling, 401 answers and rate limits are what is under test here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.auth import REFUSAL, NotAuthenticatedError
from api.settings import ApiSettings
from clearance.app import LOCAL_OPERATOR, Actor, Application, Document, Role, registries, tariffs
from core.clock import FixedClock
from core.settings import Settings
from tests.conftest import ROOT
from tests.golden_support import SAMPLES

BROKER = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))
BROKER_2 = Actor("broker-02", Role.BROKER, party_ids=frozenset({"BROKER02"}))
OFFICER_2201 = Actor("officer-2201", Role.OFFICER, offices=frozenset({"2201"}))
OFFICER_5300 = Actor("officer-5300", Role.OFFICER, offices=frozenset({"5300"}))
CARRIER = Actor("carrier-cosu", Role.TRADER, party_ids=frozenset({"COSU"}))
AGENCY = Actor("agency-01", Role.AGENCY, party_ids=frozenset({"MOFCOM"}))
ADMIN = Actor("admin", Role.ADMIN)
TOKENS = {
    "gck_broker": BROKER,
    "gck_broker2": BROKER_2,
    "gck_officer2201": OFFICER_2201,
    "gck_officer5300": OFFICER_5300,
    "gck_agency": AGENCY,
    "gck_carrier": CARRIER,
    "gck_admin": ADMIN,
}


def token_authenticator(app: Application, token: str) -> Actor:
    """The actor of a test token; refused as the identity module refuses (one message)."""
    actor = TOKENS.get(token)
    if actor is None:
        raise NotAuthenticatedError(REFUSAL)
    return actor


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}


def token_of(actor: Actor) -> str:
    """The test token of ``actor``."""
    return next(t for t, a in TOKENS.items() if a == actor)


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    """The application with the sample tariff schedules and registries loaded."""
    app = Application(engine, Settings(), clock)
    for path in sorted((ROOT / "samples" / "tariffs").glob("*.jsonl")):
        tariffs.load_schedule(app, LOCAL_OPERATOR, Document.read(path))
    registries_files = sorted((ROOT / "samples" / "registries").glob("*.jsonl"))
    registries.load(app, LOCAL_OPERATOR, [Document.read(p) for p in registries_files])
    return app


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(rate_per_second=1000, rate_burst=1000)


@pytest.fixture
def client(application: Application, api_settings: ApiSettings) -> Iterator[TestClient]:
    api = build(
        application=application, authenticator=token_authenticator, api_settings=api_settings
    )
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


def sample(name: str) -> bytes:
    """The bytes of an EDIFACT sample."""
    return (SAMPLES / name).read_bytes()
