"""The received-files page: a sender's dead letters and stuck files, processed again from the
browser (issue 15); another sender's file is "page not found", an officer has no such page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import Application
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    ADMIN,
    NINGBO,
    OCEAN,
    OFFICER,
    console_app,
    csrf_token,
    interchange,
    sign_in,
)
from tests.operations.support import failing_declarations, healed, scalar

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Iterator[Application]:
    failing_declarations(engine)  # every registration aborts until healed
    yield Application(engine, Settings(), clock)
    healed(engine)


@pytest.fixture
def client(application: Application) -> TestClient:
    return TestClient(console_app(application))


def failed_upload(client: TestClient) -> int:
    """Ocean's upload of sample 01, which fails inside its unit of work: its message id."""
    sign_in(client, OCEAN)
    token = csrf_token(client.get("/console/portal/upload").text)
    answer = client.post(
        "/console/portal/upload",
        data={"csrf_token": token},
        files={"file": ("cusdec.edi", interchange(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return int(answer.headers["location"].split("/")[-1].split("?")[0])


def retry(client: TestClient, message_id: int) -> str:
    token = csrf_token(client.get("/console/messages").text)
    answer = client.post(f"/console/messages/{message_id}/retry", data={"csrf_token": token})
    assert answer.status_code in (200, 404), answer.status_code
    text: str = answer.text
    return text


def test_a_failed_upload_is_listed_and_processed_again_once(
    client: TestClient, engine: Engine
) -> None:
    message_id = failed_upload(client)
    page = client.get(f"/console/messages/{message_id}").text
    assert "injected fault" in page and f"/console/messages/{message_id}/retry" in page
    listing = client.get("/console/messages")
    assert listing.status_code == 200
    failed_section = listing.text.split("Files that failed")[2].split("Stuck files")[0]
    assert f"/console/messages/{message_id}/retry" in failed_section

    # Still failing: told so, kept, nothing registered.
    assert "The file failed again" in retry(client, message_id)
    assert scalar(engine, "SELECT status FROM inbound_messages WHERE id = :i", i=message_id) == (
        "failed"
    )
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0

    healed(engine)  # the cause is fixed: the admin has it processed again
    sign_in(client, ADMIN)
    assert f"/console/messages/{message_id}/retry" in client.get("/console/messages").text
    done = retry(client, message_id)
    assert "The file was processed again." in done
    assert scalar(engine, "SELECT status FROM inbound_messages WHERE id = :i", i=message_id) == (
        "accepted"
    )
    assert "No file has failed." in client.get("/console/messages").text
    # Processed already: a second retry changes nothing and says so.
    assert "This file was not processed again." in retry(client, message_id)
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1


def test_another_senders_file_is_not_found_and_an_officer_has_no_such_page(
    client: TestClient,
) -> None:
    message_id = failed_upload(client)
    sign_in(client, NINGBO)
    assert f"/console/messages/{message_id}" not in client.get("/console/messages").text
    token = csrf_token(client.get("/console/messages").text)
    answer = client.post(f"/console/messages/{message_id}/retry", data={"csrf_token": token})
    assert answer.status_code == 404
    sign_in(client, OFFICER)
    assert client.get("/console/messages").status_code == 403
    token = csrf_token(client.get("/console/queue").text)
    answer = client.post(f"/console/messages/{message_id}/retry", data={"csrf_token": token})
    assert answer.status_code == 403


def test_a_retry_without_the_sessions_token_is_refused(client: TestClient, engine: Engine) -> None:
    message_id = failed_upload(client)
    healed(engine)
    answer = client.post(f"/console/messages/{message_id}/retry", data={"csrf_token": "forged"})
    assert answer.status_code == 403
    assert scalar(engine, "SELECT status FROM inbound_messages WHERE id = :i", i=message_id) == (
        "failed"
    )
