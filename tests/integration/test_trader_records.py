"""The portal's other records: licences and certificates naming the trader, with balances, and
the export-rebate records of its exports; never another trader's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.console.authentication import PasswordSignIn
from api.settings import ApiSettings
from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    Role,
    messages,
    registries,
    subjects,
    trader_records,
)
from clearance.app import keys as api_keys
from clearance.app import rebates as rebate_cases
from core.clock import FixedClock
from core.settings import Settings
from rules.registry import Licence
from tests.console_support import PASSWORD, Person, console_app, csrf_token
from tests.integration.invalidation_support import release
from tests.integration.test_controls_support import (
    CONTROLS,
    INSTANT,
    export_interchange,
    prepare,
)

pytestmark = pytest.mark.db

OCEAN_USCC = "91310000MA1FL0XQ8W"  # holds the sample licences, imports under the certificates
EXPORTER = "91440300MA5DC8E3L9"  # the sender of sample 02, an export
OCEAN = Actor("ocean", Role.TRADER, party_ids=frozenset({OCEAN_USCC, "BROKER01"}))
SHENZHEN = Actor("shenzhen", Role.TRADER, party_ids=frozenset({EXPORTER}))


@pytest.fixture
def application(engine: Engine) -> Application:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    licence_use = (CONTROLS / "01-valid-licence.edi").read_bytes()
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(licence_use))
    (export,) = messages.submit(
        app, LOCAL_OPERATOR, messages.Interchange(export_interchange())
    ).declarations
    assert export.number is not None
    release(engine, export.number, INSTANT)
    rebate_cases.confirm_exit(app, LOCAL_OPERATOR, export.number)
    return app


def test_a_trader_sees_the_documents_naming_it_with_their_balances(
    application: Application,
) -> None:
    documents = trader_records.held_documents(application, OCEAN)
    numbers = {d.number for d in documents}
    assert {"26-AA-310045", "26-AA-310047", "E261000000000001"} <= numbers
    assert all(d.holder == OCEAN_USCC for d in documents)
    (used,) = [d for d in documents if d.number == "26-AA-310047"]
    (ledger,) = used.ledgers
    assert ledger.uses == 1  # sample 01 drew on it
    assert ledger.remaining is not None
    theirs = trader_records.held_documents(application, SHENZHEN)
    assert {d.holder for d in theirs} == {EXPORTER}  # its export licence, none of Ocean's
    assert not numbers & {d.number for d in theirs}


def test_a_trader_sees_the_rebate_records_of_its_own_exports(application: Application) -> None:
    records = trader_records.rebate_records(application, SHENZHEN)
    assert len(records) == 2
    assert {r.status for r in records} == {"confirmed"}
    assert sorted((r.item_sequence, r.quantity, r.unit, r.exit_date) for r in records) == [
        (1, "300", "NAR", INSTANT.date().isoformat()),  # confirmed at 10:00 in Shanghai
        (2, "120", "NAR", INSTANT.date().isoformat()),
    ]
    assert trader_records.rebate_records(application, OCEAN) == []
    officer = Actor("li", Role.OFFICER, offices=frozenset({"5300"}))
    assert trader_records.rebate_records(application, officer) == []


def test_the_portal_pages_show_them(application: Application) -> None:
    people = {"ocean": OCEAN, "shenzhen": SHENZHEN}

    def check(name: str, password: str) -> Actor:
        assert password == PASSWORD
        return people[name]

    client = TestClient(
        console_app(application, sign_in=PasswordSignIn(check, lambda name, _at: people[name]))
    )
    for person, page, expected in [
        (Person("ocean", OCEAN), "/console/portal/documents", "26-AA-310047"),
        (Person("shenzhen", SHENZHEN), "/console/portal/rebates", "Exit confirmed"),
    ]:
        client.cookies.clear()
        token = csrf_token(client.get("/console/sign-in").text)
        client.post(
            "/console/sign-in",
            data={"csrf_token": token, "name": person.name, "password": PASSWORD},
        )
        assert expected in client.get(page).text
    assert "26-AA-310047" not in client.get("/console/portal/documents").text


def _portal_documents(application: Application, language: str = "en") -> str:
    client = TestClient(
        console_app(
            application, sign_in=PasswordSignIn(lambda _n, _p: OCEAN, lambda _s, _t: OCEAN)
        ),
        headers={"Accept-Language": language},
    )
    token = csrf_token(client.get("/console/sign-in").text)
    client.post("/console/sign-in", data={"csrf_token": token, "name": "ocean", "password": "x"})
    return str(client.get("/console/portal/documents").text)


def _section(html: str, number: str) -> str:
    """The part of the documents page about document ``number`` (up to the next heading)."""
    start = html.index(f" {number}</h2>")
    end = html.find("<h2>", start)
    return html[start : end if end != -1 else len(html)]


def test_an_expired_licence_is_shown_expired_and_a_tolerance_is_shown(
    application: Application,
) -> None:
    (current,) = [
        d
        for d in registries.list_documents(application, LOCAL_OPERATOR, "licence")
        if d.number == "26-AA-310045"
    ]
    licence = registries.show_document(application, LOCAL_OPERATOR, "licence", "26-AA-310045")
    expired = Licence.model_validate(
        {
            **licence.record,
            "number": "25-AA-300001",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",  # before the clock's day, 2026-06-15
        }
    )
    registries.register_licence(application, LOCAL_OPERATOR, expired)
    held = {d.number: d for d in trader_records.held_documents(application, OCEAN)}
    assert held["25-AA-300001"].expired and not held["26-AA-310045"].expired
    assert not current.expired

    html = _portal_documents(application)
    old, valid = _section(html, "25-AA-300001"), _section(html, "26-AA-310045")
    assert '<strong class="tag tag--expired">Expired</strong>' in old
    assert "expired: no declaration may use it" in old
    assert "Expired" not in valid
    assert "5 %, up to 126000 KGM" in valid  # 120000 KGM with a tolerance of 0.05
    assert ">none</td>" in _section(html, "26-AA-310046")  # no tolerance
    chinese = _section(_portal_documents(application, "zh-CN"), "25-AA-300001")
    assert "已过期" in chinese


def test_the_api_answers_them_to_their_trader_only(application: Application) -> None:
    """``GET /v1/held-documents`` and ``GET /v1/rebate-records``: the same records as the
    portal's pages, by API key, never another trader's."""
    people = {"ocean": [f"uscc:{OCEAN_USCC}", "edi:BROKER01"], "shenzhen": [f"uscc:{EXPORTER}"]}
    keys = {}
    for name, parties in people.items():
        subjects.add_subject(
            application,
            LOCAL_OPERATOR,
            subjects.NewSubject(name, name.title(), Role.TRADER, party_ids=parties),
        )
        keys[name] = {
            "Authorization": f"Bearer {api_keys.issue_key(application, LOCAL_OPERATOR, name).key}"
        }
    settings = ApiSettings(rate_per_second=1000, rate_burst=1000, intake="inline")
    client = TestClient(build(application=application, api_settings=settings))

    held = client.get("/v1/held-documents", headers=keys["ocean"])
    assert held.status_code == 200, held.text
    documents = held.json()["documents"]
    assert {"26-AA-310045", "26-AA-310047", "E261000000000001"} <= {d["number"] for d in documents}
    assert {d["holder"] for d in documents} == {OCEAN_USCC}
    theirs = client.get("/v1/held-documents", headers=keys["shenzhen"]).json()["documents"]
    assert {d["holder"] for d in theirs} == {EXPORTER}

    records = client.get("/v1/rebate-records", headers=keys["shenzhen"]).json()["records"]
    assert len(records) == 2 and {r["status"] for r in records} == {"confirmed"}
    assert client.get("/v1/rebate-records", headers=keys["ocean"]).json()["records"] == []
    assert client.get("/v1/rebate-records?limit=0", headers=keys["shenzhen"]).status_code == 422
    assert client.get("/v1/rebate-records").status_code == 401
