"""``customs serve``'s line per request: uvicorn's access record through its own formatter.

The line keeps every key the general formatter gave it (event, level, logger, timestamp, what
is bound) and adds the request's fields apart (stop 25, docs/operations.md).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from api.asgi import RequestClock
from core.logs import AccessFormatter, bound, formatter, server_log_config

LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
ACCESS = '%s - "%s %s HTTP/%s" %d'
REQUEST = ("127.0.0.1:50312", "GET", '/v1/declarations/2201"x?page=2', "1.1", 404)


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the server's loggers write to stderr; their configuration restored afterwards.

    Tests point ``sys.stderr`` at it themselves (:func:`_serve_logging`): pytest's own capture
    sets ``sys.stderr`` again between a fixture and the test.
    """
    saved = {name: logging.getLogger(name) for name in LOGGERS}
    state = {name: (lg.handlers[:], lg.propagate, lg.level) for name, lg in saved.items()}
    yield io.StringIO()
    for name, lg in saved.items():
        lg.handlers[:], lg.propagate, lg.level = state[name]


def _serve_logging(stream: io.StringIO, *, access_log: bool = True, as_json: bool = True) -> None:
    # What uvicorn.run does with customs serve's options before it serves anything, with
    # stderr (the handlers' stream, read when configured) pointed at ``stream``.
    real, sys.stderr = sys.stderr, stream
    try:
        _configure(access_log=access_log, as_json=as_json)
    finally:
        sys.stderr = real


def _configure(*, access_log: bool, as_json: bool) -> None:
    uvicorn.Config(
        app="api.asgi:create",
        factory=True,
        log_config=server_log_config("info", as_json=as_json),
        access_log=access_log,
    ).configure_logging()


def _record() -> logging.LogRecord:
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, ACCESS, REQUEST, None)


def test_the_line_per_request_is_json_with_the_request_s_fields(stderr: io.StringIO) -> None:
    _serve_logging(stderr)
    with bound(conversation_id="42"):
        logging.getLogger("uvicorn.access").info(ACCESS, *REQUEST)
    logging.getLogger("uvicorn.error").info("Started server process")
    access, started = (json.loads(line) for line in stderr.getvalue().splitlines())
    assert access["event"] == '127.0.0.1:50312 - "GET /v1/declarations/2201"x?page=2 HTTP/1.1" 404'
    assert access["method"] == "GET" and access["path"] == '/v1/declarations/2201"x?page=2'
    assert access["status"] == 404 and access["client"] == "127.0.0.1:50312"
    assert access["http_version"] == "1.1" and access["conversation_id"] == "42"
    assert access["level"] == "info" and access["logger"] == "uvicorn.access"
    assert datetime.fromisoformat(access["timestamp"]).utcoffset() is not None
    assert access["timestamp"].endswith("Z")
    assert started["event"] == "Started server process" and "method" not in started


def test_it_keeps_every_key_of_the_general_line() -> None:
    with bound(conversation_id="42", message_id=7):
        general = json.loads(formatter().format(_record()))
        line = json.loads(AccessFormatter().format(_record()))
    assert set(general) < set(line)
    assert {k: line[k] for k in general if k != "timestamp"} == {
        k: v for k, v in general.items() if k != "timestamp"
    }


def test_another_record_on_the_access_logger_is_its_message(stderr: io.StringIO) -> None:
    _serve_logging(stderr)
    logging.getLogger("uvicorn.access").warning("odd %s", "line")
    (line,) = (json.loads(x) for x in stderr.getvalue().splitlines())
    assert line["event"] == "odd line" and line["level"] == "warning" and "status" not in line


def test_no_access_log_drops_the_line(stderr: io.StringIO) -> None:
    _serve_logging(stderr, access_log=False)
    logging.getLogger("uvicorn.access").info(ACCESS, *REQUEST)
    assert stderr.getvalue() == ""


def test_key_value_lines_for_people_keep_the_general_renderer(stderr: io.StringIO) -> None:
    _serve_logging(stderr, as_json=False)
    logging.getLogger("uvicorn.access").info(ACCESS, *REQUEST)
    text = stderr.getvalue()
    assert "GET /v1/declarations/" in text and not text.startswith("{")


def test_the_line_has_the_duration_from_the_application_s_start() -> None:
    lines: list[dict[str, object]] = []

    async def answering(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.02)  # the request's work, then uvicorn's line as the head goes out
        lines.append(json.loads(AccessFormatter().format(_record())))

    asyncio.run(RequestClock(answering)({"type": "http"}, _never, _never))
    (line,) = lines
    assert isinstance(line["duration_ms"], float) and 20 <= line["duration_ms"] < 5000
    # Outside a request (no start marked) the line has no duration.
    assert "duration_ms" not in json.loads(AccessFormatter().format(_record()))


async def _never(*_: object) -> Any:
    raise AssertionError("not called")
