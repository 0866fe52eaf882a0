"""POST /v1/submissions on PostgreSQL queues the interchange for real ``customs worker``
processes and answers from what the worker stored: the declaration numbers, a syntax error in
the sender's format, a refused sender, or ``queued`` when no worker took it in time."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.asgi import build
from api.settings import ApiSettings
from clearance.app import Application
from tests.api.conftest import Auth, sample
from tests.operations.support import (
    customs_process,
    empty_queue,
    postgres_only,
    scalar,
    wait_until,
)

pytestmark = pytest.mark.db

EDIFACT = {"Content-Type": "application/EDIFACT"}


def _client(application: Application, wait: float) -> TestClient:
    settings = ApiSettings(
        rate_per_second=1000, rate_burst=1000, intake="queue", submit_wait_seconds=wait
    )
    return TestClient(build(application=application, api_settings=settings))


def test_a_submission_waits_in_the_queue_until_a_worker_answers_it(
    auth: Auth, application: Application, engine: Engine
) -> None:
    postgres_only(engine)
    empty_queue(engine)
    with _client(application, wait=0.3) as client:
        queued = client.post(
            "/v1/submissions",
            content=sample("01-import-d96b.edi"),
            headers={**auth("broker"), **EDIFACT},
        )
        assert queued.status_code == 202
        body = queued.json()
        assert body["status"] == "queued"  # nobody works the queue yet
        message_id = body["message_id"]
        assert scalar(
            engine, "SELECT status FROM inbound_messages WHERE id = :i", i=message_id
        ) == ("received")
        jobs = scalar(
            engine,
            "SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE status = 'todo'",
        )
        assert jobs == 1

        with customs_process(engine, "worker") as worker:

            def processed() -> bool:
                view = client.get(queued.headers["Location"], headers=auth("broker")).json()
                return bool(view["message"]["status"] == "accepted")

            wait_until(processed, "the worker processed the queued submission", process=worker)

    with _client(application, wait=60) as client, customs_process(engine, "worker"):
        headers = {**auth("broker2"), **EDIFACT}  # sample 03 comes from BROKER02
        accepted = client.post(
            "/v1/submissions", content=sample("03-multi-message-group-d96b.edi"), headers=headers
        )
        assert accepted.status_code == 202
        answer = accepted.json()
        assert answer["status"] == "accepted"
        numbers = [d["number"] for d in answer["outcome"]["declarations"]]
        assert numbers and all(n.startswith("2201") for n in numbers)
        registered = scalar(
            engine,
            "SELECT count(*) FROM declarations WHERE inbound_message_id = :i",
            i=answer["message_id"],
        )
        assert registered == len(numbers)

        syntax = client.post(
            "/v1/submissions",
            content=sample("08-syntax4-repeated-element-d99b.edi"),
            headers={**auth("eu_trader"), **EDIFACT},
        )
        assert syntax.status_code == 400
        assert syntax.text.startswith("UNA") or "UNH" in syntax.text
        assert "CONTRL" in syntax.text

        refused = client.post(
            "/v1/submissions",
            content=sample("08-syntax4-repeated-element-d99b.edi"),
            headers={**auth("broker"), **EDIFACT},
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "sender_refused"
