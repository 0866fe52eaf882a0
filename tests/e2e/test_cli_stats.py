"""``customs stats refresh / table`` end to end, through the command's own argument parsing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from clearance.intake.pipeline import Pipeline
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.invalidation_support import release
from tests.integration.test_controls_support import INSTANT, export_interchange, prepare

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_refresh_then_tables_in_every_format(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    pipeline = Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
    (d,) = pipeline.submit(export_interchange()).declarations
    assert d.number is not None
    release(engine, d.number, INSTANT)

    status, out, _ = run(capsys, "stats", "refresh", "--json")
    assert status == 0 and json.loads(out)["counted"] >= 1

    # One exporter: every cell with a value is confidential and shows no value.
    status, out, err = run(
        capsys, "stats", "table", "--rows", "hs4", "--flow", "X", "--format", "json"
    )
    table = json.loads(out)
    assert status == 0 and "audit passed" in err
    assert table["protected"] and table["audit"]["passed"]
    total = next(c for c in table["cells"] if c["row"] == "_T")
    assert total["value_cny"] is None and "confidential" in total["flags"]
    assert "traders" not in total  # protected tables never say how many traders

    status, out, _ = run(
        capsys, "stats", "table", "--rows", "hs4", "--flow", "X", "--format", "csv", "--unprotected"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    total_row = next(r for r in rows if r["hs4"] == "_T")
    assert status == 0 and total_row["traders"] == "1" and "threshold" in total_row["rules"]
    assert float(total_row["value_cny"]) > 0

    status, out, _ = run(capsys, "stats", "table", "--rows", "flow", "--format", "sdmx-csv")
    assert out.splitlines()[0].startswith("DATAFLOW,FLOW,OBS_VALUE")
    assert ",X,,CNY,P,C" in out

    status, _, err = run(capsys, "stats", "table", "--rows", "flow", "--filter", "partner")
    assert status == 2 and "DIM=CODE" in err


def test_generate_publish_final_and_subtotals(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, out, _ = run(capsys, "stats", "generate", "--items", "2000", "--months", "6")
    assert status == 0 and out.startswith("2000 synthetic facts from 2025-01 over 6 months")
    status, out, _ = run(capsys, "stats", "publish", "2025-03", "--final")
    assert status == 0 and "2025-03 published (final)" in out

    status, out, _ = run(capsys, "stats", "table", "--rows", "month", "--format", "json")
    cells = {c["row"]: c for c in json.loads(out)["cells"]}
    assert "provisional" not in cells["2025-03"]["flags"]
    assert "provisional" in cells["2025-04"]["flags"] and "provisional" in cells["_T"]["flags"]

    status, out, err = run(
        capsys, "stats", "table", "--rows", "hs6", "--subtotals", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and {len(r["hs6"]) for r in rows} == {2, 4, 6}
    assert "audit passed" in err
