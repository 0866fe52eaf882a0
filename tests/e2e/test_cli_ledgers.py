"""``customs ledgers check [--repair]``: drift between balances and entries, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from clearance.cli import main
from clearance.ledgers.accounts import HeadSpec, Ref, apply, ensure_heads, lock_heads
from rules.ledger import Allowance

pytestmark = pytest.mark.db

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
KEY = "quota:CLI-2026"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().out


def test_a_drift_is_reported_then_repaired(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    spec = HeadSpec(KEY, "quota", "CLI-2026", Allowance(Decimal(100), "KGM"))
    with Session(engine) as session, session.begin():
        ensure_heads(session, [spec], NOW)
        head = lock_heads(session, [KEY])[KEY]
        assert apply(session, head, Ref("D1", 1), "reserve", NOW, Decimal(30), 0) is None
    assert run(capsys, "ledgers", "check") == (
        0,
        "0 ledger(s) drifted from their entries (found)\n",
    )
    with engine.begin() as connection:  # a balance changed behind the ledger's back
        connection.execute(text("UPDATE ledger_heads SET reserved = 25 WHERE key = :k"), {"k": KEY})

    status, out = run(capsys, "ledgers", "check", "--json")
    assert status == 1
    assert json.loads(out) == {
        "drifted": [
            {
                "key": KEY,
                "stored": {
                    "reserved": "25",
                    "consumed": "0",
                    "reserved_uses": "0",
                    "consumed_uses": "0",
                },
                "recomputed": {
                    "reserved": "30",
                    "consumed": "0",
                    "reserved_uses": "0",
                    "consumed_uses": "0",
                },
            }
        ],
        "repaired": False,
    }
    status, out = run(capsys, "ledgers", "check", "--repair")
    assert status == 0 and out.endswith("1 ledger(s) drifted from their entries (repaired)\n")
    assert run(capsys, "ledgers", "check")[0] == 0
