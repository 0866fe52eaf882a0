"""``customs serve`` hands its options to uvicorn: the access log stays on unless dropped."""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any, cast

import pytest
import uvicorn

from clearance.app import Application
from clearance.cli import serve


def _run(monkeypatch: pytest.MonkeyPatch, *options: str) -> dict[str, Any]:
    """The keyword arguments ``customs serve OPTIONS`` calls uvicorn with."""
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers(), {})
    args = parser.parse_args(["serve", *options])
    called: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: called.update(kwargs))
    app = SimpleNamespace(database="sqlite://", settings=SimpleNamespace(log_json=True))
    assert args.handler(args, cast(Application, app)) == 0
    return called


def test_the_access_log_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(monkeypatch)["access_log"] is True


def test_no_access_log_turns_uvicorn_s_line_per_request_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called = _run(monkeypatch, "--no-access-log", "--port", "8123")
    assert called["access_log"] is False
    assert called["port"] == 8123
    assert called["factory"] is True


def test_uvicorn_logs_through_the_json_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    # uvicorn applies log_config in every server process it starts: the formatter must be in it.
    config = _run(monkeypatch, "--log-level", "warning")["log_config"]
    assert config["formatters"]["line"] == {"()": "core.logs.formatter", "as_json": True}
    assert config["root"]["level"] == "WARNING"
    assert (
        config["loggers"]["uvicorn"]["propagate"]
        and config["loggers"]["uvicorn.error"]["propagate"]
    )
    # The line per request: its own handler on stderr, the formatter that knows its shape.
    access = config["loggers"]["uvicorn.access"]
    assert access == {"handlers": ["access"], "propagate": False}
    assert config["handlers"]["access"]["stream"] == "ext://sys.stderr"
    assert config["formatters"]["access"] == {"()": "core.logs.access_formatter", "as_json": True}
