"""``customs registry / declarations explain / officer / rebates / replay`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from rules.risk import BUILTIN_DIRECTORY
from tests.integration.test_controls_support import CONTROLS, REGISTRY_FILES, prepare

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, _ = capsys.readouterr()
    return status, out


def test_the_controls_commands(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)  # sample tariff and registries (the CLI's own clock is today)
    status, out = run(capsys, "registry", "load", *map(str, REGISTRY_FILES))
    assert status == 0 and "already loaded" in out
    status, out = run(capsys, "submit", "--json", str(CONTROLS / "03-wrong-holder.edi"))
    number = json.loads(out)["declarations"][0]["number"]
    status, out = run(capsys, "declarations", "explain", number)
    assert status == 0 and "LIC-003" in out and "reject" in out
    status, out = run(capsys, "submit", "--json", str(CONTROLS / "09-discredited-trader.edi"))
    waiting = json.loads(out)["declarations"][0]["number"]
    status, out = run(capsys, "officer", "queue", "--json")
    assert waiting in [json.loads(line)["number"] for line in out.splitlines()]
    args = ("officer", "decide", waiting, "--release", "--reason", "seal intact", "--officer", "O7")
    status, out = run(capsys, *args)
    assert status == 0 and "released" in out
    status, out = run(capsys, "declarations", "explain", waiting)
    assert "Decided by officer O7" in out
    assert main(list(args)) == 1  # no longer waiting
    status, out = run(
        capsys,
        "rebates",
        "export",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--out",
        str(tmp_path),
    )
    assert status == 0 and "0 records" in out
    ruleset = str(BUILTIN_DIRECTORY / "cn-default.json")
    status, out = run(
        capsys, "replay", "--ruleset", ruleset, "--from", "2000-01-01", "--to", "2100-01-01"
    )
    report = json.loads(out)
    assert status == 0 and report["changed"] == [] and report["declarations"] == 2
