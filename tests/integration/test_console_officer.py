"""The officers' console without a browser: the queue, a decision, its errors, a stale version."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    OCEAN,
    OFFICER,
    OTHER_OFFICER,
    PASSWORD,
    Person,
    console_app,
    csrf_token,
    interchange,
)

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "Q1")))
    return app


@pytest.fixture
def number(application: Application) -> str:
    (row,) = declarations.list_declarations(application, LOCAL_OPERATOR)
    return row.number


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application))


def sign_in(client: TestClient, person: Person) -> None:
    client.cookies.clear()
    token = csrf_token(client.get("/console/sign-in").text)
    client.post(
        "/console/sign-in", data={"csrf_token": token, "name": person.name, "password": PASSWORD}
    )


def decide(client: TestClient, number: str, **form: str) -> Response:
    page = client.get(f"/console/declarations/{number}")
    data = {"csrf_token": csrf_token(page.text), **form}
    answer: Response = client.post(f"/console/declarations/{number}/decision", data=data)
    return answer


def test_the_queue_lists_what_waits_in_the_officers_offices(
    client: TestClient, number: str
) -> None:
    sign_in(client, OFFICER)
    assert number in client.get("/console/queue").text
    sign_in(client, OTHER_OFFICER)
    assert number not in client.get("/console/queue").text
    sign_in(client, OCEAN)
    assert client.get("/console/queue").status_code == 403


def test_an_officer_releases_with_a_reason_and_the_trader_sees_it(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    answer = decide(client, number, action="release", reason="Documents checked", version="1")
    assert answer.status_code == 200  # followed the redirect to the declaration page
    assert "Your decision was recorded and the trader was answered." in answer.text
    assert "Officer actions" not in answer.text  # it no longer waits
    assert declarations.show(application, LOCAL_OPERATOR, number).status == "released"
    again = client.get(f"/console/declarations/{number}")
    assert "Your decision was recorded" not in again.text  # shown once
    sign_in(client, OCEAN)
    page = client.get(f"/console/declarations/{number}")
    assert "Released" in page.text
    assert "Documents checked" in page.text  # the reason, in the history and the CUSRES
    assert page.text.count("CUSRES") >= 2  # the first answer and the one after the decision


def test_a_decision_without_choice_or_reason_names_both_and_changes_nothing(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    answer = decide(client, number, action="", reason=" ", version="1")
    assert answer.status_code == 400
    summary = re.findall(r'<li><a href="#(\w+)">([^<]+)</a></li>', answer.text)
    assert summary == [
        ("action", "Choose a decision"),
        ("reason", "Give the reason for the decision"),
    ]
    assert 'id="action"' in answer.text
    assert 'id="reason"' in answer.text
    assert declarations.show(application, LOCAL_OPERATOR, number).status == "documents_required"


def test_a_decision_on_a_stale_version_is_refused(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OFFICER)
    answer = decide(client, number, action="reject", reason="Wrong goods", version="2")
    assert "nothing was decided" in answer.text
    assert "version 1, not 2" in answer.text
    assert declarations.show(application, LOCAL_OPERATOR, number).status == "documents_required"


def test_an_officer_of_another_office_cannot_act(
    client: TestClient, application: Application, number: str
) -> None:
    sign_in(client, OTHER_OFFICER)
    token = csrf_token(client.get("/console/queue").text)
    answer = client.post(
        f"/console/declarations/{number}/decision",
        data={"csrf_token": token, "action": "release", "reason": "x", "version": "1"},
    )
    assert answer.status_code == 404
    assert declarations.show(application, LOCAL_OPERATOR, number).status == "documents_required"


def test_a_trader_cannot_decide(client: TestClient, application: Application, number: str) -> None:
    sign_in(client, OCEAN)
    token = csrf_token(client.get("/console/portal").text)
    answer = client.post(
        f"/console/declarations/{number}/decision",
        data={"csrf_token": token, "action": "release", "reason": "mine", "version": "1"},
    )
    assert answer.status_code == 403
    assert declarations.show(application, LOCAL_OPERATOR, number).status == "documents_required"
