"""``POST /v1/declarations/{number}/exit-confirmation`` over HTTP: an officer of the export's
office clears it (200, the second call answers the first confirmation); another office's
officer gets 404 as for an unknown number; a trader and the admin 403; an export not released
yet 422. Nothing is written by a refused call."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, Role, subjects
from clearance.app import keys as api_keys
from clearance.app.messages import Interchange, submit
from clearance.app.subjects import NewSubject
from tests.api.conftest import Auth, bearer
from tests.integration.invalidation_support import events, release
from tests.integration.test_controls_support import INSTANT, export_interchange

pytestmark = pytest.mark.db

OFFICER_5316 = NewSubject("officer-5316", "Officer 5316", Role.OFFICER, offices=["5316"])


def _export(application: Application, engine: Engine, *, released: bool = True) -> str:
    """Sample 02 (office 5316) submitted; released by an officer unless ``released`` is off."""
    (d,) = submit(application, LOCAL_OPERATOR, Interchange(export_interchange())).declarations
    assert d.number is not None, d.to_json()
    if released:
        release(engine, d.number, INSTANT)
    return d.number


def _officer_5316(application: Application) -> dict[str, str]:
    subjects.add_subject(application, LOCAL_OPERATOR, OFFICER_5316)
    return bearer(api_keys.issue_key(application, LOCAL_OPERATOR, OFFICER_5316.id).key)


def test_an_officer_of_the_office_confirms_once(
    application: Application, engine: Engine, auth: Auth, client: TestClient
) -> None:
    number = _export(application, engine)
    officer = _officer_5316(application)
    path = f"/v1/declarations/{number}/exit-confirmation"

    first = client.post(path, headers=officer)
    second = client.post(path, headers=officer)

    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["number"], body["records"], body["already"]) == (number, 2, False)
    assert body["answered"] is False  # an EDIFACT declarant: no CUSRES code for it
    assert second.status_code == 200, second.text
    again = second.json()
    assert (again["records"], again["already"]) == (0, True)
    assert again["confirmed_at"] == body["confirmed_at"]
    assert len(events(engine, number, "exit_confirmed")) == 1
    assert len(events(engine, number, "cleared")) == 1


def test_who_may_not_confirm_an_exit(
    application: Application, engine: Engine, auth: Auth, client: TestClient
) -> None:
    number = _export(application, engine)
    path = f"/v1/declarations/{number}/exit-confirmation"

    elsewhere = client.post(path, headers=auth("officer2201"))
    trader = client.post(path, headers=auth("broker"))
    admin = client.post(path, headers=auth("admin"))
    unknown = client.post(
        "/v1/declarations/531620261000009999/exit-confirmation", headers=auth("officer2201")
    )

    assert elsewhere.status_code == 404, elsewhere.text
    assert elsewhere.json()["detail"] == f"no declaration {number}"
    assert unknown.status_code == 404
    assert trader.status_code == 403, trader.text
    assert admin.status_code == 403, admin.text
    assert events(engine, number, "exit_confirmed") == []
    assert events(engine, number, "cleared") == []


def test_an_export_not_released_is_refused(
    application: Application, engine: Engine, client: TestClient
) -> None:
    number = _export(application, engine, released=False)

    answer = client.post(
        f"/v1/declarations/{number}/exit-confirmation", headers=_officer_5316(application)
    )

    assert answer.status_code == 422, answer.text
    assert "goods exit only after release" in answer.json()["detail"]
    assert events(engine, number, "cleared") == []
