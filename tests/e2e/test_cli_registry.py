"""``customs registry add / revoke / show / list`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.integration.test_controls_support import prepare

pytestmark = pytest.mark.db

LICENCE = {
    "record": "licence",
    "number": "26-XX-000001",
    "type_code": "7",
    "holder_uscc": "91310000MA1FL0XQ8W",
    "direction": "import",
    "commodity_codes": ["1511100000"],
    "quantity": "1000",
    "unit": "KGM",
    "max_uses": 12,
    "tolerance": "0.05",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "issuer": "MOFCOM",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_show_revoke_a_licence(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    path = tmp_path / "licence.json"
    path.write_text(json.dumps(LICENCE, indent=2), encoding="utf-8")

    status, out, _ = run(capsys, "registry", "add", str(path))
    assert status == 0 and out.startswith("licence 26-XX-000001 registered (active): load ")
    status, out, _ = run(capsys, "registry", "show", "licence", "26-XX-000001", "--json")
    shown = json.loads(out)
    assert status == 0 and shown["status"] == "active"
    assert shown["ledgers"][0]["remaining"] == "1050" and shown["record"]["issuer"] == "MOFCOM"
    status, out, _ = run(capsys, "registry", "list", "licence", "--json")
    assert "26-XX-000001" in [json.loads(line)["number"] for line in out.splitlines()]

    status, out, _ = run(
        capsys, "registry", "revoke", "licence", "26-XX-000001", "--reason", "withdrawn"
    )
    assert status == 0 and "revoked (revoked)" in out
    status, out, _ = run(capsys, "registry", "show", "licence", "26-XX-000001")
    assert "(revoked)" in out and "revoke by local-operator: withdrawn" in out

    path.write_text(json.dumps({**LICENCE, "max_uses": 40}, indent=2), encoding="utf-8")
    status, out, err = run(capsys, "registry", "add", str(path))
    assert status == 1 and f"{path}:12:15: max_uses:" in err
    status, _, err = run(capsys, "registry", "show", "certificate", "NOPE")
    assert status == 1 and "no certificate NOPE" in err
