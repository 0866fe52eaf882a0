"""Metrics, health endpoints and JSON logs, read as Prometheus, a probe and a log shipper would."""

from __future__ import annotations

import io
import json
import logging
import socket
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from api.asgi import build
from clearance.app import LOCAL_OPERATOR, Application, Role, monitoring, subjects
from clearance.app import keys as api_keys
from clearance.app import queueing as queue_cases
from clearance.app.messages import Interchange
from clearance.app.subjects import NewSubject
from clearance.cli.health_server import serve_health
from core.clock import FixedClock
from core.db import make_engine
from core.logs import bound, configure_logging, get_logger, use_standard_logging
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import empty_queue

pytestmark = pytest.mark.db


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    return Application(engine, Settings(), clock)


def samples(app: Application) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the process's metrics, keyed by name and labels."""
    body, content_type = monitoring.render(app)
    assert content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_processing_is_counted_by_outcome_lane_and_rejection_code(app: Application) -> None:
    before = samples(app)
    good = Interchange((SAMPLES / "01-import-d96b.edi").read_bytes())
    bad = Interchange((SAMPLES / "06-errors-d96b.edi").read_bytes())
    for interchange in (good, bad):
        queued = queue_cases.enqueue(app, LOCAL_OPERATOR, interchange)
        if queued.outcome is None:
            queue_cases.process_message(app, queued.message_id)
    after = samples(app)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("customs_messages_processed_total", format="edifact", status="accepted") == 2
    assert grew("customs_message_processing_seconds_count") == 2
    lanes = {
        k: v - before.get(k, 0.0) for k, v in after.items() if k[0] == "customs_declarations_total"
    }
    assert sum(lanes.values()) >= 1
    rejections = {
        dict(k[1])["code"]: v - before.get(k, 0.0)
        for k, v in after.items()
        if k[0] == "customs_rejections_total" and v - before.get(k, 0.0) > 0
    }
    assert rejections  # the errors sample's rejected declarations, by code


def test_queue_depth_and_age_are_read_at_scrape(app: Application, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no queue")
    queue_cases.enqueue(
        app, LOCAL_OPERATOR, Interchange((SAMPLES / "01-import-d96b.edi").read_bytes())
    )
    now = samples(app)
    assert now[("customs_queue_jobs", (("queue", "intake"), ("status", "todo")))] == 1
    assert ("customs_queue_oldest_job_seconds", (("queue", "intake"), ("status", "todo"))) in now


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_health_port_answers_livez_readyz_and_metrics(app: Application) -> None:
    alive = [True]
    port = free_port()
    server = serve_health(app, port, alive=lambda: alive[0])
    try:
        assert get(port, "/livez") == (200, b'{"alive": true}')
        status, body = get(port, "/readyz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        status, body = get(port, "/metrics")
        assert status == 200 and b"customs_messages_processed" in body
        assert get(port, "/nothing")[0] == 404
        alive[0] = False  # the worker's loop stopped
        assert get(port, "/livez")[0] == 503
        assert get(port, "/readyz")[0] == 503
    finally:
        server.shutdown()
        server.server_close()


def test_readiness_says_which_dependency_is_away(clock: FixedClock) -> None:
    gone = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    state = monitoring.readiness(Application(gone, Settings(), clock))
    assert not state.ready
    assert state.checks["database"].startswith("unreachable")


def test_the_api_serves_metrics_to_an_admin_key_only(app: Application) -> None:
    subjects.add_subject(app, LOCAL_OPERATOR, NewSubject("mon-01", "Monitoring", Role.ADMIN))
    subjects.add_subject(
        app, LOCAL_OPERATOR, NewSubject("tr-01", "Trader", Role.TRADER, party_ids=["edi:TR01"])
    )
    admin = api_keys.issue_key(app, LOCAL_OPERATOR, "mon-01").key
    trader = api_keys.issue_key(app, LOCAL_OPERATOR, "tr-01").key
    client = TestClient(build(application=app))
    assert client.get("/metrics").status_code == 401
    forged = client.get("/metrics", headers={"Authorization": "Bearer gck_nonsense"})
    assert forged.status_code == 401
    refused = client.get("/metrics", headers={"Authorization": f"Bearer {trader}"})
    assert refused.status_code == 403
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 200
    assert "customs_message_processing_seconds" in answer.text


def test_log_lines_are_json_with_the_bound_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        with bound(message_id=7, conversation_id="7"):
            get_logger("test").info("message processed", status="accepted")
            logging.getLogger("procrastinate.test").info("job done", extra={"job_id": 3})
    finally:
        root.handlers[:], root.level = handlers, level
        use_standard_logging()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "message processed" and first["message_id"] == 7
    assert first["conversation_id"] == "7" and first["level"] == "info"
    assert second["job_id"] == 3 and second["message_id"] == 7  # the library's line too


def test_a_command_line_run_logs_nothing_on_stdout(
    app: Application, capsys: pytest.CaptureFixture[str]
) -> None:
    queued = queue_cases.enqueue(
        app, LOCAL_OPERATOR, Interchange((SAMPLES / "01-import-d96b.edi").read_bytes())
    )
    if queued.outcome is None:
        queue_cases.process_message(app, queued.message_id)
    assert capsys.readouterr().out == ""  # stdout is the CLI's contract (--json)
