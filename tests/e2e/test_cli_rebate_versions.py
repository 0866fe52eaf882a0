"""``customs rebates correct / records`` end to end."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from clearance.app import rebates as rebate_cases
from clearance.app.documents import Document
from clearance.cli import main
from tests.integration.test_rebate_exchange import HEADER, OPERATOR, _exported

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_correct_and_list_versions(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    app, batch, number = _exported(engine)
    answer = f"{HEADER}{batch.reference},{number},1,rejected,R12,no rate\n"
    rebate_cases.acknowledge_batch(app, OPERATOR, None, Document("ack.csv", answer.encode()))
    status, out, _ = run(
        capsys, "rebates", "correct", number, "1", "--reason", "rate 9%", "--rate", "0.09"
    )
    assert status == 0 and "version 2 (correction of version 1) waits for the next batch" in out
    status, _, err = run(capsys, "rebates", "correct", number, "1", "--reason", "x", "--cancel")
    assert status == 1 and "waits for the next batch" in err
    status, out, _ = run(capsys, "rebates", "records", number, "--json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert [(v["version"], v["kind"], v["status"]) for v in first["versions"]] == [
        (1, "original", "rejected"),
        (2, "correction", "pending"),
    ]
    assert first["versions"][0]["answer_code"] == "R12" and len(second["versions"]) == 1
    status, out, _ = run(capsys, "rebates", "records", number)
    assert "v2 correction   pending" in out and "rate 9%" in out
