"""Uploading through the portal, the message page, and the downloads (no browser)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.console.forms import UPLOAD_MAX_BYTES
from clearance.app import LOCAL_OPERATOR, Actor, Application, Role, messages
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    NINGBO,
    OCEAN,
    OFFICER,
    OTHER_OFFICER,
    PEOPLE,
    Person,
    console_app,
    csrf_token,
    interchange,
    sign_in,
    table_sign_in,
)

pytestmark = pytest.mark.db

#: The consignee sample 01 names (SHANGHAI OCEAN FOODS), not its sender.
OCEAN_FOODS = "91310000MA1FL0XQ8W"


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    return Application(engine, Settings(), clock)


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application))


def upload(client: TestClient, content: bytes, name: str = "cusdec.edi") -> str:
    token = csrf_token(client.get("/console/portal/upload").text)
    answer = client.post(
        "/console/portal/upload",
        data={"csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_an_upload_is_submitted_and_its_answers_can_be_downloaded(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    content = interchange("BROKER01", "UP1")
    location = upload(client, content)
    assert re.fullmatch(r"/console/messages/\d+\?uploaded=1", location)
    page = client.get(location)
    assert "Your file was received and processed." in page.text
    number = re.search(r"/console/declarations/(\d{18})", page.text)
    assert number is not None
    (stored,) = messages.list_messages(application, LOCAL_OPERATOR)
    assert stored.channel == "portal"
    assert stored.filename == "cusdec.edi"
    raw = client.get(f"/console/messages/{stored.message_id}/raw")
    assert raw.content == content
    assert raw.headers["content-disposition"] == 'attachment; filename="cusdec.edi"'
    links = re.findall(r'href="(/console/answers/\d+)"', page.text)
    texts = [client.get(link).text for link in links]
    assert any("CONTRL" in text for text in texts)
    assert any("CUSRES" in text for text in texts)


def test_a_syntax_error_is_answered_with_its_acknowledgement(client: TestClient) -> None:
    sign_in(client, OCEAN)
    broken = interchange("BROKER01", "UP2").replace(b"UNT+", b"UNX+", 1)
    page = client.get(upload(client, broken, "broken.edi"))
    assert "Rejected" in page.text
    assert "No declaration was registered from this file." in page.text
    (link,) = re.findall(r'href="(/console/answers/\d+)"', page.text)
    assert "CONTRL" in client.get(link).text


def test_an_empty_or_missing_file_is_named_in_the_error_summary(client: TestClient) -> None:
    sign_in(client, OCEAN)
    token = csrf_token(client.get("/console/portal/upload").text)
    none = client.post("/console/portal/upload", data={"csrf_token": token})
    empty = client.post(
        "/console/portal/upload",
        data={"csrf_token": token},
        files={"file": ("empty.edi", b"", "application/octet-stream")},
    )
    assert none.status_code == empty.status_code == 400
    assert '<a href="#file">Choose a file to upload</a>' in none.text
    assert '<a href="#file">The file is empty</a>' in empty.text


def test_a_file_over_the_limit_is_refused_and_not_stored(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    token = csrf_token(client.get("/console/portal/upload").text)
    answer = client.post(
        "/console/portal/upload",
        data={"csrf_token": token},
        files={"file": ("big.edi", b"x" * (UPLOAD_MAX_BYTES + 1), "application/octet-stream")},
    )
    assert answer.status_code == 400
    assert "The file must be smaller than 10 MB" in answer.text
    assert messages.list_messages(application, LOCAL_OPERATOR) == []


def test_an_upload_without_the_csrf_token_is_refused_and_not_stored(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    answer = client.post(
        "/console/portal/upload",
        data={"csrf_token": "forged"},
        files={"file": ("x.edi", interchange("BROKER01", "UP3"), "application/octet-stream")},
    )
    assert answer.status_code == 403
    assert messages.list_messages(application, LOCAL_OPERATOR) == []


def test_files_of_another_trader_or_office_are_not_found(
    client: TestClient, application: Application
) -> None:
    sign_in(client, OCEAN)
    location = upload(client, interchange("BROKER01", "UP4"))
    message = location.split("?")[0]
    page = client.get(message)
    answers = re.findall(r'href="(/console/answers/\d+)"', page.text)
    own = [message, f"{message}/raw", *answers]
    for person, status in [(NINGBO, 404), (OTHER_OFFICER, 404), (OFFICER, 200)]:
        sign_in(client, person)
        assert [client.get(url).status_code for url in own] == [status] * len(own), person.name


def test_an_officer_cannot_upload(client: TestClient) -> None:
    sign_in(client, OFFICER)
    assert client.get("/console/portal/upload").status_code == 403


def test_a_consignee_sees_its_declaration_but_not_the_file_that_carried_it(
    application: Application,
) -> None:
    consignee = Person(
        "ocean.foods", Actor("ocean.foods", Role.TRADER, party_ids=frozenset({OCEAN_FOODS}))
    )
    people = [p.actor for p in PEOPLE.values()] + [consignee.actor]
    client = TestClient(console_app(application, sign_in=table_sign_in(people)))
    sign_in(client, OCEAN)  # the broker's sender files for the consignee
    message = upload(client, interchange("BROKER01", "UP9")).split("?")[0]
    page = client.get(message).text
    (number,) = set(re.findall(r"/console/declarations/(\d{18})", page))
    contrl, cusres = re.findall(r'href="(/console/answers/\d+)"', page)
    sign_in(client, consignee)
    assert client.get(f"/console/declarations/{number}").status_code == 200
    assert client.get(cusres).status_code == 200  # the response about its declaration
    for url in [message, f"{message}/raw", contrl]:
        assert client.get(url).status_code == 404, url
