"""The console over the identity use cases: real subjects with argon2id passwords."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, messages, subjects
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import OCEAN, PASSWORD, add_people, console_app, csrf_token, interchange

pytestmark = pytest.mark.db


@pytest.fixture
def application(engine: Engine, clock: FixedClock) -> Application:
    app = Application(engine, Settings(), clock)
    add_people(app)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "ID1")))
    return app


def sign_in(client: TestClient, name: str, password: str) -> int:
    token = csrf_token(client.get("/console/sign-in").text)
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": token, "name": name, "password": password},
        follow_redirects=False,
    )
    return int(answer.status_code)


def test_a_subject_signs_in_with_its_password_and_sees_its_declarations(
    application: Application,
) -> None:
    client = TestClient(console_app(application, real_identity=True))
    assert sign_in(client, OCEAN.name, "not the password") == 400
    assert sign_in(client, "nobody", PASSWORD) == 400
    assert sign_in(client, OCEAN.name, PASSWORD) == 303
    page = client.get("/console/portal")
    assert page.status_code == 200
    assert "Signed in as Ocean" in page.text  # the subject's name
    assert "BRK-2026-0001" in page.text  # its declaration's reference


def test_a_disabled_subject_is_signed_out_at_its_next_page(application: Application) -> None:
    client = TestClient(console_app(application, real_identity=True))
    assert sign_in(client, OCEAN.name, PASSWORD) == 303
    assert client.get("/console/portal").status_code == 200
    subjects.disable_subject(application, LOCAL_OPERATOR, OCEAN.name)
    answer = client.get("/console/portal", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")
    assert sign_in(client, OCEAN.name, PASSWORD) == 400
