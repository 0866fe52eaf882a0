"""The console over the identity use cases: real subjects with argon2id passwords."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, messages, subjects
from core.clock import FixedClock
from core.settings import Settings
from tests.console_support import (
    NINGBO,
    OCEAN,
    PASSWORD,
    add_people,
    console_app,
    csrf_token,
    interchange,
)

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


class MovingClock:
    """A clock the test moves on by hand."""

    def __init__(self, start: datetime) -> None:
        self.instant = start

    def now(self) -> datetime:
        return self.instant

    def advance(self, seconds: float) -> None:
        self.instant += timedelta(seconds=seconds)


@pytest.fixture
def moving(engine: Engine, clock: FixedClock) -> tuple[Application, MovingClock]:
    moving_clock = MovingClock(clock.now())
    app = Application(engine, Settings(), moving_clock)
    add_people(app)
    messages.submit(app, LOCAL_OPERATOR, messages.Interchange(interchange("BROKER01", "ID1")))
    return app, moving_clock


def test_a_copy_of_the_cookie_taken_before_signing_out_is_refused_afterwards(
    moving: tuple[Application, MovingClock],
) -> None:
    application, clock = moving
    app = console_app(application, real_identity=True)
    ocean, ningbo = TestClient(app), TestClient(app)
    assert sign_in(ocean, OCEAN.name, PASSWORD) == 303
    assert sign_in(ningbo, NINGBO.name, PASSWORD) == 303
    copied = ocean.cookies["customs_console"]
    clock.advance(60)
    page = ocean.get("/console/portal")
    ocean.post("/console/sign-out", data={"csrf_token": csrf_token(page.text)})

    replay = TestClient(app)
    replay.cookies.set("customs_console", copied, path="/console")
    answer = replay.get("/console/portal", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")
    assert "Sign in" in replay.get(answer.headers["location"]).text
    # another subject's session: unaffected
    assert ningbo.get("/console/portal", follow_redirects=False).status_code == 200

    clock.advance(60)  # signing in again afterwards starts a session in force
    assert sign_in(ocean, OCEAN.name, PASSWORD) == 303
    assert ocean.get("/console/portal", follow_redirects=False).status_code == 200


def test_a_stale_copy_cannot_sign_out_the_subjects_newer_sessions(
    moving: tuple[Application, MovingClock],
) -> None:
    application, clock = moving
    app = console_app(application, real_identity=True)
    first, second = TestClient(app), TestClient(app)
    assert sign_in(first, OCEAN.name, PASSWORD) == 303
    copied = first.cookies["customs_console"]
    token = csrf_token(first.get("/console/portal").text)
    clock.advance(60)
    first.post("/console/sign-out", data={"csrf_token": token})
    clock.advance(60)
    assert sign_in(second, OCEAN.name, PASSWORD) == 303
    clock.advance(60)
    stale = TestClient(app)
    stale.cookies.set("customs_console", copied, path="/console")
    stale.post("/console/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert second.get("/console/portal", follow_redirects=False).status_code == 200


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(
    moving: tuple[Application, MovingClock],
) -> None:
    application, clock = moving
    client = TestClient(console_app(application, real_identity=True))
    assert sign_in(client, OCEAN.name, PASSWORD) == 303
    clock.advance(60)
    subjects.set_password(application, LOCAL_OPERATOR, OCEAN.name, "a new and longer secret")
    answer = client.get("/console/portal", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")
    clock.advance(60)
    assert sign_in(client, OCEAN.name, PASSWORD) == 400
    assert sign_in(client, OCEAN.name, "a new and longer secret") == 303
    assert client.get("/console/portal", follow_redirects=False).status_code == 200
