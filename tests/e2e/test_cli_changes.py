"""``customs declarations amend / invalidate`` end to end: printed like ``customs submit``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.integration.test_controls_support import CONTROLS, prepare

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_amend_and_invalidate_from_the_command_line(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    _, out, _ = run(capsys, "submit", "--json", str(CONTROLS / "08-outlier-price.edi"))
    number = json.loads(out)["declarations"][0]["number"]
    _, out, _ = run(capsys, "declarations", "show", number, "--json")
    declaration = json.loads(out)["declaration"]
    declaration["remarks"] = "corrected"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(declaration, indent=2), encoding="utf-8")

    status, out, _ = run(capsys, "declarations", "amend", number, str(edited), "--json")
    line = json.loads(out)
    assert status == 0 and (line["format"], line["status"]) == ("json", "accepted")
    assert line["declarations"][0]["function"] == "amendment"
    _, out, _ = run(capsys, "declarations", "show", number, "--json")
    shown = json.loads(out)
    assert shown["version"] == 2 and shown["declaration"]["remarks"] == "corrected"

    declaration["items"][0]["commodity_code"] = "02"
    edited.write_text(json.dumps(declaration, indent=2), encoding="utf-8")
    _, before, _ = run(capsys, "messages", "list", "--json")
    status, out, err = run(capsys, "declarations", "amend", number, str(edited))
    assert status == 1 and out == ""
    assert f"{edited}:" in err and "items[0].commodity_code" in err and "Traceback" not in err
    _, after, _ = run(capsys, "messages", "list", "--json")
    assert after == before  # refused before anything was stored

    status, out, _ = run(capsys, "declarations", "invalidate", number, "--reason", "not shipped")
    assert status == 0 and f"-> {number} import invalidated" in out
    status, out, _ = run(
        capsys, "declarations", "invalidate", number, "--reason", "again", "--json"
    )
    refused = json.loads(out)["declarations"][0]
    assert status == 1 and refused["status"] == "rejected"  # refused: the command failed
    assert refused["reasons"][0]["text"] == f"declaration {number} is already invalidated"
    status, _, err = run(
        capsys, "declarations", "invalidate", "220120269999999999", "--reason", "x"
    )
    assert status == 1 and "no declaration 220120269999999999" in err
