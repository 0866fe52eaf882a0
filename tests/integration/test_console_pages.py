"""The console's pages over HTTP (no browser): sign-in and out, CSRF, tenancy, language."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, declarations, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    NINGBO,
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
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "IC1")))
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER02", "IC2")))
    return app


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application))


def numbers_of(application: Application, sender: str) -> list[str]:
    rows = declarations.list_declarations(application, LOCAL_OPERATOR)
    return [row.number for row in rows if row.sender == sender]


def sign_in(client: TestClient, person: Person, password: str = PASSWORD) -> str:
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": csrf_token(page.text), "name": person.name, "password": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_pages_send_a_visitor_to_sign_in_and_back(client: TestClient) -> None:
    answer = client.get("/console/portal", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fportal"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    page = client.get(answer.headers["location"])
    signed_in = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token(page.text),
            "name": OCEAN.name,
            "password": PASSWORD,
            "next": "/console/portal",
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/console/portal"


def test_the_trader_sees_its_own_declarations_only(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    page = client.get("/console/portal")
    (own,) = numbers_of(application, "BROKER01")
    (other,) = numbers_of(application, "BROKER02")
    assert own in page.text
    assert other not in page.text
    detail = client.get(f"/console/declarations/{own}")
    assert detail.status_code == 200
    assert "SHANGHAI OCEAN FOODS TRADING CO LTD" in detail.text
    assert "CSQU3054383" in detail.text  # container of the transport


def test_another_traders_declaration_is_not_found(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    (other,) = numbers_of(application, "BROKER02")
    unknown = client.get("/console/declarations/999999999999999999")
    foreign = client.get(f"/console/declarations/{other}")
    assert foreign.status_code == unknown.status_code == 404
    assert _h1(foreign.text) == _h1(unknown.text) == "Page not found"
    assert "SHANGHAI" not in foreign.text


def test_an_officer_sees_the_declarations_of_its_offices_only(
    client: TestClient, application: Application
) -> None:
    (number, *_) = numbers_of(application, "BROKER01")
    sign_in(client, OFFICER)
    assert client.get(f"/console/declarations/{number}").status_code == 200
    client.cookies.clear()
    sign_in(client, OTHER_OFFICER)
    assert client.get(f"/console/declarations/{number}").status_code == 404


def test_a_wrong_password_shows_one_error_for_every_reason(client: TestClient) -> None:
    page = client.get("/console/sign-in")
    for name, password in [(OCEAN.name, "wrong"), ("nobody", PASSWORD)]:
        answer = client.post(
            "/console/sign-in",
            data={"csrf_token": csrf_token(page.text), "name": name, "password": password},
        )
        assert answer.status_code == 400
        assert 'href="#name">The user name or password is not right</a>' in answer.text
    assert client.get("/console/portal", follow_redirects=False).status_code == 303


def test_empty_fields_are_named_in_the_error_summary(client: TestClient) -> None:
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in", data={"csrf_token": csrf_token(page.text), "name": "", "password": ""}
    )
    assert answer.status_code == 400
    summary = re.findall(r'<li><a href="#(\w+)">([^<]+)</a></li>', answer.text)
    assert summary == [("name", "Enter your user name"), ("password", "Enter your password")]
    assert 'id="name" name="name"' in answer.text
    assert 'aria-describedby="name-error"' in answer.text


def test_a_form_without_the_sessions_token_is_refused(client: TestClient) -> None:
    client.get("/console/sign-in")
    for token in ["", "forged-token"]:
        answer = client.post(
            "/console/sign-in",
            data={"csrf_token": token, "name": OCEAN.name, "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 403
    assert client.get("/console/portal", follow_redirects=False).status_code == 303


def test_a_token_from_another_session_is_refused(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    theirs = TestClient(console_app(application))
    token = csrf_token(theirs.get("/console/sign-in").text)
    answer = client.post("/console/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 403
    assert client.get("/console/portal").status_code == 200  # still signed in


def test_signing_out_ends_the_session(client: TestClient) -> None:
    sign_in(client, OCEAN)
    page = client.get("/console/portal")
    out = client.post(
        "/console/sign-out", data={"csrf_token": csrf_token(page.text)}, follow_redirects=False
    )
    assert out.headers["location"] == "/console/sign-in?signed_out=1"
    assert client.get("/console/portal", follow_redirects=False).status_code == 303


def test_the_session_cookie_cannot_be_changed_to_another_trader(
    client: TestClient, application: Application
) -> None:
    sign_in(client, NINGBO)
    value = client.cookies["customs_console"]
    payload, signature = value.split(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b'"s":"ningbo"' in data
    forged = base64.urlsafe_b64encode(data.replace(b'"ningbo"', b'"ocean"')).rstrip(b"=")
    client.cookies.set("customs_console", f"{forged.decode()}.{signature}", path="/console")
    answer = client.get("/console/portal", follow_redirects=False)
    assert answer.status_code == 303  # no valid session: sign in again


def test_the_language_is_chosen_per_session(client: TestClient) -> None:
    sign_in(client, OCEAN)
    page = client.get("/console/portal")
    assert _h1(page.text) == "Your declarations"
    client.post(
        "/console/language",
        data={"csrf_token": csrf_token(page.text), "language": "zh", "next": "/console/portal"},
    )
    chinese = client.get("/console/portal")
    assert _h1(chinese.text) == "您的报关单"
    assert '<html lang="zh-Hans">' in chinese.text


def test_a_chinese_browser_gets_chinese_before_signing_in(application: Application) -> None:
    client = TestClient(console_app(application), headers={"Accept-Language": "zh-CN,zh"})
    assert _h1(client.get("/console/sign-in").text) == "登录"


def _h1(html: str) -> str:
    found = re.findall(r"<h1[^>]*>([^<]*)</h1>", html)
    assert len(found) == 1, found
    return str(found[0]).strip()


def test_the_findings_weights_and_the_automatic_decider_are_in_the_pages_language(
    application: Application,
) -> None:
    (number,) = numbers_of(application, "BROKER01")
    # The officer reads every finding; the trader only the control findings (the risk rows and
    # the random-sample draw are customs' own: clearance/app/disclosure.py), in its language.
    for person, language, expected, hidden, raw in [
        (
            OFFICER,
            "en",
            ["Documents", "Yellow", "Not selected", "Automatically"],
            [],
            ["not selected"],
        ),
        (
            OFFICER,
            "zh-CN",
            ["单证", "黄色", "未抽中", "系统自动"],
            [],
            ["not selected", "documents"],
        ),
        (OCEAN, "en", ["Documents", "Automatically"], ["Yellow", "Not selected"], ["documents"]),
        (OCEAN, "zh-CN", ["单证", "系统自动"], ["黄色", "未抽中"], ["documents"]),
    ]:
        client = TestClient(console_app(application), headers={"Accept-Language": language})
        sign_in(client, person)
        page = client.get(f"/console/declarations/{number}").text
        ruleset = page.index("Ruleset" if language == "en" else "规则集")
        findings = page[page.index('<table class="table">', ruleset) :]
        weights = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", findings)
        decided_by = re.search(r"(?:Decided by|决定人)</dt>\s*<dd[^>]*>([^<]*)</dd>", page)
        assert decided_by is not None
        assert set(expected) <= {*weights, decided_by.group(1).strip()}, (weights, decided_by)
        assert not set(hidden) & set(weights), (person.name, weights)
        assert not set(raw) & set(weights)
