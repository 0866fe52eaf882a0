"""``customs registry bulk / write-off`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.integration.invalidation_support import _EXPORT_LICENCE, LICENCE
from tests.integration.test_controls_support import prepare

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_bulk_then_write_off(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    good = tmp_path / "bulk.jsonl"
    good.write_text(
        json.dumps({"action": "add", "record": _EXPORT_LICENCE})
        + "\n"
        + json.dumps(
            {"action": "revoke", "kind": "licence", "number": "26-AA-310046", "reason": "expired"}
        )
        + "\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "registry", "bulk", str(good))
    assert status == 0 and "1 added, 0 amended, 1 revoked" in out
    status, _, err = run(capsys, "registry", "bulk", str(good))
    assert status == 1 and f"bulk.jsonl:1: licence {LICENCE} is in force already" in err
    status, out, _ = run(capsys, "registry", "write-off", LICENCE, "--json")
    report = json.loads(out)
    assert report["draws"] == [] and report["ledger"]["allowance"] == "1000"
    status, out, _ = run(capsys, "registry", "write-off", LICENCE)
    assert f"licence {LICENCE} (active)" in out and "remaining 1000" in out
    status, _, err = run(capsys, "registry", "write-off", "26-NO-SUCH")
    assert status == 1 and "no licence 26-NO-SUCH" in err
