"""The officer's declaration page confirms the exit of a released export (no browser).

An officer of the export's office sees the form while the exit is not confirmed, posts it
(with the session's CSRF token) and is told the declaration is cleared; the form is then gone.
Another office's officer gets no page at all, and a form without the token changes nothing.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import Actor, Application, Role
from tests.console_support import Person, console_app, csrf_token, sign_in, table_sign_in
from tests.integration.invalidation_support import events
from tests.integration.test_exit_clearance import _released

pytestmark = pytest.mark.db

SHENZHEN = Actor("sz.officer", Role.OFFICER, offices=frozenset({"5316"}))
TIANJIN = Actor("tj.officer", Role.OFFICER, offices=frozenset({"2201"}))
FORM = "/exit-confirmation"


def _client(application: Application) -> TestClient:
    return TestClient(console_app(application, sign_in=table_sign_in([SHENZHEN, TIANJIN])))


def _sign_in(client: TestClient, actor: Actor) -> None:
    sign_in(client, Person(actor.subject, actor))


def test_the_officer_confirms_the_exit_on_the_declaration_page(engine: Engine) -> None:
    application, number = _released(engine)
    client = _client(application)
    _sign_in(client, SHENZHEN)
    page = client.get(f"/console/declarations/{number}")
    assert page.status_code == 200
    assert f"{number}{FORM}" in page.text

    refused = client.post(f"/console/declarations/{number}{FORM}", data={"csrf_token": "x"})
    assert refused.status_code in (400, 403)
    assert events(engine, number, "cleared") == []

    done = client.post(
        f"/console/declarations/{number}{FORM}", data={"csrf_token": csrf_token(page.text)}
    )

    assert done.status_code == 200, done.text
    assert "The exit was confirmed: the declaration is cleared." in done.text
    assert f"{number}{FORM}" not in done.text
    assert len(events(engine, number, "cleared")) == 1


def test_another_offices_officer_has_no_page_and_no_form(engine: Engine) -> None:
    application, number = _released(engine)
    client = _client(application)
    _sign_in(client, TIANJIN)
    page = client.get(f"/console/declarations/{number}")
    token = csrf_token(client.get("/console/queue").text)

    posted = client.post(f"/console/declarations/{number}{FORM}", data={"csrf_token": token})

    assert page.status_code == 404
    assert posted.status_code == 404
    assert events(engine, number, "cleared") == []
