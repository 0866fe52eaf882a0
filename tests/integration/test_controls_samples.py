"""The control scenarios of samples/controls against their golden decisions; determinism."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.store.control_tables import LedgerEntry, LedgerHead
from tests.integration.test_controls_support import CONTROLS, pipeline, prepare

pytestmark = pytest.mark.db
SCENARIOS = sorted(CONTROLS.glob("*.edi"))


def _decisions(engine: Engine) -> dict[str, dict[str, Any]]:
    clock = prepare(engine)
    p = pipeline(engine, clock)
    out = {}
    for path in SCENARIOS:
        (d,) = p.submit(path.read_bytes(), filename=path.name).declarations
        out[path.stem] = {
            "number": d.number,
            "status": d.status,
            "lane": d.lane,
            "decision": d.decision,
            "rules": sorted({f.rule_id for f in d.findings}),
            "reasons": [r.code for r in d.reasons],
        }
    return out


def _golden(path: Path) -> Path:
    return path.with_suffix(".decision.json")


def test_every_scenario_decides_as_its_golden_file(engine: Engine) -> None:
    decisions = _decisions(engine)
    for path in SCENARIOS:
        golden = _golden(path)
        if os.environ.get("CUSTOMS_UPDATE_GOLDEN"):
            text = json.dumps(decisions[path.stem], indent=2, ensure_ascii=False) + "\n"
            golden.write_text(text, encoding="utf-8")
        assert decisions[path.stem] == json.loads(golden.read_text(encoding="utf-8")), path.name


def test_the_ledgers_hold_what_the_accepted_scenarios_drew(engine: Engine) -> None:
    _decisions(engine)
    with Session(engine) as session:
        rows = session.execute(
            select(LedgerHead.key, LedgerEntry.kind, func.sum(LedgerEntry.quantity))
            .join(LedgerEntry, LedgerEntry.head_id == LedgerHead.id)
            .group_by(LedgerHead.key, LedgerEntry.kind)
            .order_by(LedgerHead.key, LedgerEntry.kind)
        ).all()
    held = {(k, kind): float(q) for k, kind, q in rows}
    # 01 (10 000 kg, released: consumed) and 08 (1 000 kg, waiting: reserved) on 26-AA-310047;
    # 02 (over the balance) and 03 (wrong holder) were rejected and drew nothing.
    assert held[("licence:26-AA-310047", "consume")] == 10000
    assert held[("licence:26-AA-310047", "reserve")] == 11000
    assert held[("licence:26-AA-310048", "consume")] == 5000  # the one use of 04; 05 refused


def test_the_same_inputs_give_the_same_lane(engine: Engine, tmp_path: Path) -> None:
    from clearance.store.migrate import upgrade
    from core.db import make_engine
    from tests.offices_support import load_sample_offices

    first = _decisions(engine)
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    upgrade(other)
    load_sample_offices(other)
    assert _decisions(other) == first
    other.dispose()
