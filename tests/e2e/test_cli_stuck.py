"""``customs messages stuck`` and ``retry`` after a submit was killed (issue 15)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.golden_support import SAMPLES
from tests.intake_support import kill_during_submit

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_killed_submit_is_listed_stuck_and_retried_from_the_command_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    kill_during_submit(engine, SAMPLES / "01-import-d96b.edi")
    status, out, _ = run(capsys, "messages", "stuck", "--json")
    assert (status, out) == (0, "")  # within CUSTOMS_STUCK_AFTER_SECONDS: not stuck yet
    status, _, err = run(capsys, "messages", "retry", "1")
    assert status == 1 and "may still be being processed" in err

    monkeypatch.setenv("CUSTOMS_STUCK_AFTER_SECONDS", "0")
    status, out, _ = run(capsys, "messages", "stuck")
    assert status == 0 and "1 stuck message(s)" in out and " received" in out
    _, out, _ = run(capsys, "messages", "stuck", "--json")
    (stuck,) = [json.loads(line) for line in out.splitlines()]
    assert (stuck["message_id"], stuck["status"]) == (1, "received")
    status, out, _ = run(capsys, "messages", "retry", "1", "--json")
    assert status == 0 and json.loads(out)["status"] == "accepted"
    _, out, _ = run(capsys, "messages", "stuck", "--json")
    assert out == ""
    status, _, err = run(capsys, "messages", "retry", "1")
    assert status == 1 and "message 1 is accepted" in err
