"""``customs stats confidentiality`` and ``customs stats chart`` end to end, through the
command's own argument parsing."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy import Engine, text

from clearance.cli import main

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_requests_filed_reviewed_and_charts_written(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, _, _ = run(capsys, "stats", "generate", "--items", "2000", "--months", "12")
    assert status == 0
    with engine.connect() as conn:
        trader = conn.execute(text("SELECT MIN(trader) FROM stat_facts")).scalar_one()

    status, out, _ = run(
        capsys, "stats", "confidentiality", "file", "--party", trader, "--reason", "sole", "--json"
    )
    filed = json.loads(out)
    assert status == 0 and filed["status"] == "pending"
    status, out, _ = run(capsys, "stats", "confidentiality", "list", "--status", "pending")
    assert status == 0 and f"#{filed['id']} {trader} pending" in out
    status, out, _ = run(
        capsys, "stats", "confidentiality", "review", str(filed["id"]), "--accept", "--json"
    )
    assert status == 0 and json.loads(out)["status"] == "accepted"
    status, out, _ = run(capsys, "stats", "confidentiality", "show", str(filed["id"]))
    assert status == 0 and "accepted by local-operator" in out

    target = tmp_path / "partners.svg"
    status, _, err = run(
        capsys,
        "stats",
        "chart",
        "top-partners",
        "--from",
        "2025-01",
        "--to",
        "2025-06",
        "--out",
        str(target),
    )
    assert status == 0 and "Top partners" in err
    root = ElementTree.fromstring(target.read_text(encoding="utf-8"))
    assert root.get("role") == "img"
    status, out, _ = run(capsys, "stats", "chart", "monthly-trend", "--format", "json")
    assert status == 0 and json.loads(out)["kind"] == "monthly-trend"
