"""Searching declarations: each field, always within what the actor may see."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Actor, Application, Role, declarations, messages
from clearance.app import search as finding
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import OCEAN, OFFICER, PASSWORD, console_app, csrf_token, interchange

pytestmark = pytest.mark.db

NINGBO_TRADER = Actor("ningbo", Role.TRADER, party_ids=frozenset({"BROKER02"}))


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "S1")))
    other = interchange("BROKER02", "S2").replace(b"CSQU3054383", b"MSKU1234565")
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(other))
    return app


def found(app: Application, actor: Actor, by: finding.SearchField, text: str) -> list[str]:
    query = finding.Search(by=by, text=text)
    return [d.number for d in finding.search(app, actor, query)]


def number_of(app: Application, sender: str) -> str:
    (number,) = [
        d.number for d in declarations.list_declarations(app, LOCAL_OPERATOR) if d.sender == sender
    ]
    return number


def test_each_field_finds_what_it_names(application: Application) -> None:
    one, two = number_of(application, "BROKER01"), number_of(application, "BROKER02")
    op = LOCAL_OPERATOR
    assert found(application, op, "number", one) == [one]
    assert found(application, op, "number", one[:4]) == [two, one]
    assert found(application, op, "commodity", "0306") == [two, one]
    assert found(application, op, "commodity", "9999") == []
    assert found(application, op, "trader", "ocean foods") == [two, one]  # part of a name
    assert found(application, op, "trader", "91310000MA1FL0XQ8W") == [two, one]
    assert found(application, op, "trader", "BROKER02") == [two]
    assert found(application, op, "trader", "SHRIMP") == []  # a description, not a party
    assert found(application, op, "transport", "msku1234565") == [two]
    assert found(application, op, "transport", "CSQU3054383") == [one]
    assert found(application, op, "transport", "COSU6123456780") == [two, one]  # the bill
    assert found(application, op, "transport", "CSQU305") == []  # whole references only


def test_a_search_never_finds_another_tenants_declaration(application: Application) -> None:
    two = number_of(application, "BROKER02")
    assert found(application, NINGBO_TRADER, "commodity", "0306") == [two]
    assert found(application, NINGBO_TRADER, "transport", "CSQU3054383") == []
    elsewhere = Actor("x", Role.OFFICER, offices=frozenset({"5100"}))
    assert found(application, elsewhere, "commodity", "0306") == []


def test_like_wildcards_in_the_text_are_taken_literally(application: Application) -> None:
    assert found(application, LOCAL_OPERATOR, "number", "%") == []
    assert found(application, LOCAL_OPERATOR, "commodity", "_306") == []


def test_the_search_page_lists_matches_and_names_an_empty_field(application: Application) -> None:
    client = TestClient(console_app(application))
    token = csrf_token(client.get("/console/sign-in").text)
    client.post(
        "/console/sign-in", data={"csrf_token": token, "name": OFFICER.name, "password": PASSWORD}
    )
    page = client.get("/console/search", params={"by": "transport", "text": "MSKU1234565"})
    assert page.status_code == 200
    assert number_of(application, "BROKER02") in page.text
    assert number_of(application, "BROKER01") not in page.text
    empty = client.get("/console/search", params={"by": "trader", "text": "  "})
    assert empty.status_code == 400
    assert '<a href="#text">Enter what to search for</a>' in empty.text
    client.cookies.clear()
    token = csrf_token(client.get("/console/sign-in").text)
    client.post(
        "/console/sign-in", data={"csrf_token": token, "name": OCEAN.name, "password": PASSWORD}
    )
    mine = client.get("/console/search", params={"by": "commodity", "text": "0306"})
    assert number_of(application, "BROKER01") in mine.text
    assert number_of(application, "BROKER02") not in mine.text
