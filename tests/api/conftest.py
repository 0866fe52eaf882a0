"""The API over a migrated store (SQLite and PostgreSQL), called through httpx.

Requests authenticate as they do in production: each subject of :data:`SUBJECTS` is added
and issued an API key through the identity use cases, and the API checks the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    Document,
    Role,
    registries,
    subjects,
    tariffs,
)
from clearance.app import keys as api_keys
from clearance.app.subjects import NewSubject
from core.clock import FixedClock
from core.settings import Settings
from tests.conftest import ROOT
from tests.golden_support import SAMPLES

#: The subjects the tests call as, by a short name; each gets a real API key.
SUBJECTS = {
    "broker": NewSubject("broker-01", "Broker 01", Role.BROKER, party_ids=["edi:BROKER01"]),
    "broker2": NewSubject("broker-02", "Broker 02", Role.BROKER, party_ids=["edi:BROKER02"]),
    "officer2201": NewSubject("officer-2201", "Officer 2201", Role.OFFICER, offices=["2201"]),
    "officer2201b": NewSubject("officer-2201b", "Officer 2201 B", Role.OFFICER, offices=["2201"]),
    "officer5300": NewSubject("officer-5300", "Officer 5300", Role.OFFICER, offices=["5300"]),
    "agency": NewSubject("agency-01", "Licence office", Role.AGENCY, issuers=["MOFCOM"]),
    "admin": NewSubject("admin-01", "Administrator", Role.ADMIN),
    "carrier": NewSubject("carrier-cosu", "COSCO", Role.TRADER, party_ids=["edi:COSU"]),
    #: The sender of samples 05 and 08 (UNB DE123456789012345): a subject files only as itself.
    "eu_trader": NewSubject("trader-de", "Trader DE", Role.TRADER, party_ids=["DE123456789012345"]),
}
#: The actor the identity module makes of the "broker" subject (for direct use case calls).
BROKER = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))
#: The Authorization header of a subject of :data:`SUBJECTS`, by its short name.
Auth = Callable[[str], dict[str, str]]


def bearer(key: str) -> dict[str, str]:
    """The Authorization header of API key ``key``."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    """The application with the sample tariff schedules and registries loaded."""
    app = Application(engine, Settings(), clock)
    for path in [ROOT / "samples" / "tariffs" / "cn-extract.jsonl"]:
        tariffs.load_schedule(app, LOCAL_OPERATOR, Document.read(path))
    registries_files = sorted((ROOT / "samples" / "registries").glob("*.jsonl"))
    registries.load(app, LOCAL_OPERATOR, [Document.read(p) for p in registries_files])
    return app


@pytest.fixture
def keys(application: Application) -> dict[str, str]:
    """An API key of each subject of :data:`SUBJECTS`, by its short name."""
    issued = {}
    for name, new in SUBJECTS.items():
        subjects.add_subject(application, LOCAL_OPERATOR, new)
        issued[name] = api_keys.issue_key(application, LOCAL_OPERATOR, new.id).key
    return issued


@pytest.fixture
def auth(keys: dict[str, str]) -> Auth:
    """``auth("broker")``: the header that authenticates as that subject."""
    return lambda name: bearer(keys[name])


@pytest.fixture
def api_settings() -> ApiSettings:
    # The routes' tests process submissions in the API process on both stores, so that they
    # need no worker; the queued path (PostgreSQL's default) is tested with real workers in
    # tests/operations/test_api_queued.py.
    return ApiSettings(rate_per_second=1000, rate_burst=1000, intake="inline")


@pytest.fixture
def client(application: Application, api_settings: ApiSettings) -> Iterator[TestClient]:
    api = build(application=application, api_settings=api_settings)
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


def sample(name: str) -> bytes:
    """The bytes of an EDIFACT sample."""
    return (SAMPLES / name).read_bytes()


def flagged_declaration(auth: Auth, client: TestClient) -> str:
    """Sample 01 submitted by the broker: the number of its one declaration, which waits for
    documents (yellow: a control finding and the random sample) in office 2201."""
    answer = client.post(
        "/v1/submissions",
        content=sample("01-import-d96b.edi"),
        headers={**auth("broker"), "Content-Type": "application/EDIFACT"},
    )
    assert answer.status_code == 202, answer.text
    (declaration,) = answer.json()["outcome"]["declarations"]
    assert declaration["status"] == "documents_required"
    number: str = declaration["number"]
    return number
