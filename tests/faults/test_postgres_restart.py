"""PostgreSQL stops (as a crash) and comes back during intake, under the three real processes.

``customs serve``, two ``customs worker`` and a ``customs scheduler`` run on a private
cluster while a client queues interchanges; the server is stopped with ``pg_ctl -m
immediate`` (no clean shut-down: a crash) mid-stream and started again. While it is down the
API answers 503 with Retry-After, the workers' readiness says so; afterwards every interchange
is registered exactly once, none is ``failed``, and the workers logged and counted the fault.
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.app import Application
from core.clock import SystemClock
from core.settings import Settings
from tests.faults.cluster import Cluster
from tests.faults.processes import Child, customs, metric, request_with_headers
from tests.faults.support import (
    Submitter,
    assert_each_registered_once,
    broker_key,
    interchange,
    settled,
    value,
)
from tests.operations.support import wait_until

pytestmark = [pytest.mark.slow]

MESSAGES = 30
#: Short enough that the test sees every recovery path within its deadline.
QUICK = {
    "CUSTOMS_QUEUE_ORPHAN_AFTER_SECONDS": "3",
    "CUSTOMS_SCHEDULE_MAILBOX_SECONDS": "1",
    "CUSTOMS_SCHEDULE_OUTBOX_SECONDS": "1",
    "CUSTOMS_SCHEDULER_POLL_SECONDS": "0.5",
}


def ready(child: Child) -> bool:
    """Whether ``child`` answers 200 on /readyz."""
    try:
        return child.get("/readyz")[0] == 200
    except OSError:
        return False


def post(api: Child, key: str, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
    """POST an interchange to the API as the broker."""
    return request_with_headers(
        "POST",
        f"http://127.0.0.1:{api.port}/v1/submissions",
        body=raw,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/EDIFACT"},
    )


def test_a_postgres_crash_during_intake_loses_nothing_and_does_nothing_twice(
    cluster: Cluster, database: Engine, tmp_path: Path
) -> None:
    app = Application(database, Settings(), SystemClock())
    key = broker_key(app)
    with (
        customs(database, tmp_path, "serve", "serve", port=True, **QUICK) as api,
        customs(database, tmp_path, "w1", "worker", "--name", "w1", port=True, **QUICK) as w1,
        customs(database, tmp_path, "w2", "worker", "--name", "w2", port=True, **QUICK) as w2,
        customs(database, tmp_path, "scheduler", "scheduler", port=True, **QUICK) as leader,
    ):
        for child in (api, w1, w2, leader):
            wait_until(partial(ready, child), f"{child.log.stem} to be ready", every=0.2)
        submitter = Submitter(app, first=1, count=MESSAGES, pause_at=MESSAGES // 3).start()
        wait_until(
            lambda: (
                submitter.done == MESSAGES // 3
                and value(database, "SELECT count(*) FROM declarations") > 0  # type: ignore[operator]
            ),
            "a third of the messages queued and some processed",
        )
        submitter.go.set()  # the rest arrive while the server goes down and comes back
        cluster.stop("immediate")  # a crash: no session is ended cleanly
        status, body, headers = post(api, key, interchange(1000))
        assert status == 503, body
        assert headers.get("retry-after") == "5"
        assert headers.get("content-type") == "application/problem+json"
        assert json.loads(body)["code"] in ("store_unavailable", "store_full")
        status, body = w1.get("/readyz")
        assert status == 503 and b"unreachable" in body
        time.sleep(2)  # a short outage, while the submitter and the workers keep trying
        cluster.start()

        submitter.join(timeout=120)
        for _ in range(20):  # the API's first connections after the restart may be dead ones
            status, body, _ = post(api, key, interchange(1000))
            if status != 503:
                break
            time.sleep(0.5)
        assert status == 202, body
        wait_until(lambda: settled(database), "every message processed", every=0.5)
        wait_until(lambda: ready(w1) and ready(w2), "the workers ready again", every=0.2)
        counted = sum(
            metric(w, "customs_database_errors_total", kind="unavailable") for w in (w1, w2)
        )
        wait_until(
            lambda: metric(leader, "customs_scheduler_leader") == 1.0,
            "the scheduler leading again",
            every=0.2,
        )
        logged = [line for w in (w1, w2) for line in w.logged("database unavailable")]

    references = {f"IC{n:07d}" for n in range(1, MESSAGES + 1)} | {"IC0001000"}
    assert_each_registered_once(database, references)
    assert submitter.refused > 0, "the client was never told the store was away"
    assert counted >= 1, "no worker counted customs_database_errors_total"
    assert logged, "no worker wrote a 'database unavailable' line"
    assert {line["kind"] for line in logged} <= {"unavailable", "full"}
    # The jobs all ended well: none failed for the store's sake (it is not their fault).
    assert (
        value(
            database,
            "SELECT count(*) FROM procrastinate.procrastinate_jobs "
            "WHERE task_name = 'process_message' AND status <> 'succeeded'",
        )
        == 0
    )
