"""Dead letters and stuck interchanges over HTTP (issue 15): listed to those who may see them,
processed again once, answered as a submission is; another tenant's is 404.

The fault is injected in the store (a trigger that aborts every registration), so the
submission really fails inside its unit of work and is kept ``failed``, as in
tests/operations/test_queue.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application
from clearance.app import queueing as queue_cases
from tests.api.conftest import Auth, sample
from tests.operations.support import empty_queue, failing_declarations, healed, scalar

pytestmark = pytest.mark.db

EDIFACT = {"Content-Type": "application/EDIFACT"}


@pytest.fixture
def heal(engine: Engine) -> Iterator[Callable[[], None]]:
    """Registrations fail until the returned function is called (and after the test, healed)."""
    failing_declarations(engine)
    yield lambda: healed(engine)
    healed(engine)


def _failed_submission(client: TestClient, auth: Auth) -> int:
    answer = client.post(
        "/v1/submissions",
        content=sample("01-import-d96b.edi"),
        headers={**auth("broker"), **EDIFACT},
    )
    assert answer.status_code == 500, answer.text
    # What the database refused, not the statement and its parameters (the sender's own
    # declaration as JSON, the store's columns): those are for the operators' logs.
    assert "injected fault" in answer.json()["detail"]
    assert "INSERT" not in answer.json()["detail"] and "parameters" not in answer.json()["detail"]
    message_id: int = answer.json()["message_id"]
    return message_id


def _listed(client: TestClient, headers: dict[str, str], state: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/submissions?state={state}", headers=headers)
    assert answer.status_code == 200, answer.text
    listed: list[dict[str, Any]] = answer.json()["submissions"]
    return listed


def test_a_dead_letter_is_listed_to_its_sender_and_the_admin_and_retried_once(
    client: TestClient, auth: Auth, engine: Engine, heal: Callable[[], None]
) -> None:
    message_id = _failed_submission(client, auth)
    retry = f"/v1/submissions/{message_id}/retry"

    for who in ("broker", "admin"):
        (dead,) = _listed(client, auth(who), "dead")
        assert dead["message_id"] == message_id and dead["status"] == "failed"
        assert "injected fault" in dead["error"] and "INSERT" not in dead["error"]
    assert [m["message_id"] for m in _listed(client, auth("broker"), "all")] == [message_id]
    # Another sender's broker neither sees it nor may retry it: as if it did not exist.
    assert _listed(client, auth("broker2"), "dead") == []
    assert _listed(client, auth("broker2"), "all") == []
    assert client.post(retry, headers=auth("broker2")).status_code == 404
    assert client.post("/v1/submissions/999999/retry", headers=auth("broker")).status_code == 404
    # An officer does not process traders' files again (and lists none of them).
    refused = client.post(retry, headers=auth("officer2201"))
    assert refused.status_code == 403 and refused.json()["detail"] == "an officer may not retry"

    # Still failing: 500 again, still a dead letter, nothing registered.
    again = client.post(retry, headers=auth("broker"))
    assert again.status_code == 500 and again.json()["message_id"] == message_id
    assert [m["message_id"] for m in _listed(client, auth("admin"), "dead")] == [message_id]
    assert scalar(engine, "SELECT count(*) FROM declarations") == 0

    heal()  # the cause is fixed: the admin has it processed again
    done = client.post(retry, headers=auth("admin"))
    assert done.status_code == 202, done.text
    body = done.json()
    assert (
        body["message_id"] == message_id
        and done.headers["Location"] == f"/v1/submissions/{message_id}"
    )
    (registered,) = body["outcome"]["declarations"]
    assert registered["number"]
    assert _listed(client, auth("broker"), "dead") == []
    # Processed: a second retry is refused, and the declaration is there once.
    refused = client.post(retry, headers=auth("broker"))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert scalar(engine, "SELECT count(*) FROM declarations") == 1
    numbers = [
        d["number"]
        for d in client.get("/v1/declarations", headers=auth("broker")).json()["declarations"]
    ]
    assert numbers == [registered["number"]]


def test_a_dead_letter_is_requeued_for_the_workers(
    application: Application, auth: Auth, engine: Engine, heal: Callable[[], None]
) -> None:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    settings = ApiSettings(
        rate_per_second=1000, rate_burst=1000, intake="inline", submit_wait_seconds=0.2
    )
    with TestClient(
        build(application=application, api_settings=settings), raise_server_exceptions=False
    ) as client:
        message_id = _failed_submission(client, auth)
        requeue = f"/v1/submissions/{message_id}/requeue"
        assert client.post(requeue, headers=auth("broker2")).status_code == 404
        heal()
        answer = client.post(requeue, headers=auth("broker"))
        assert answer.status_code == 202, answer.text
        if engine.dialect.name == "postgresql":
            # Queued for the workers (none runs here): not a dead letter any more.
            assert answer.json()["status"] == "queued"
            assert _listed(client, auth("broker"), "dead") == []
            queue_cases.process_message(application, message_id)  # what a worker does
            empty_queue(engine)
        else:  # SQLite: processed in this process, answered at once
            assert answer.json()["outcome"]["declarations"][0]["number"]
        assert (
            scalar(engine, "SELECT status FROM inbound_messages WHERE id = :i", i=message_id)
            == "accepted"
        )
        # Not failed any more: nothing to requeue.
        refused = client.post(requeue, headers=auth("broker"))
        assert refused.status_code == 422


def test_the_list_refuses_an_unknown_state_and_a_limit_out_of_range(
    client: TestClient, auth: Auth
) -> None:
    for query in ("state=gone", "limit=0", "limit=501"):
        answer = client.get(f"/v1/submissions?{query}", headers=auth("broker"))
        assert answer.status_code == 422, query
