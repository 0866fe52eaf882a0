"""``customs rebates export / batch / acknowledge`` end to end: files written after the commit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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


def test_export_write_again_and_acknowledge(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    (d,) = (
        Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
        .submit(export_interchange())
        .declarations
    )
    assert d.number is not None
    release(engine, d.number, INSTANT)
    assert run(capsys, "rebates", "confirm-exit", d.number)[0] == 0

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    period = ("--from", "2026-06-01", "--to", "2026-06-30")
    status, out, err = run(capsys, "rebates", "export", *period, "--out", str(blocked))
    assert status == 1 and out == ""
    reference = err.split("customs rebates batch ")[1].split()[0]
    assert reference.startswith("RB") and "the batch is stored" in err

    status, out, _ = run(capsys, "rebates", "export", *period, "--out", str(tmp_path / "x"))
    assert status == 0 and "0 records" in out  # the records were transmitted with the batch

    out_dir = tmp_path / "again"
    status, out, _ = run(capsys, "rebates", "batch", reference, "--out", str(out_dir))
    assert status == 0
    csv_bytes = (out_dir / f"{reference}.csv").read_bytes()
    assert csv_bytes.count(b"\n") == 3 and (out_dir / f"{reference}.xml").exists()
    status, out, _ = run(capsys, "rebates", "batch", reference, "--json")
    shown = json.loads(out)
    assert shown["csv_sha256"] == hashlib.sha256(csv_bytes).hexdigest()
    assert shown["records"] == 2 and shown["acknowledged_at"] is None

    ack = tmp_path / "ack.csv"
    ack.write_text(
        "batch,declaration_number,item,result,reason_code,reason_text\n"
        f"{reference},{d.number},1,accepted,,\n"
        f"{reference},{d.number},2,rejected,R12,commodity not eligible\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "rebates", "acknowledge", str(ack))
    assert status == 0 and "1 accepted, 1 rejected, 0 unchanged" in out
    status, out, _ = run(capsys, "rebates", "acknowledge", str(ack), "--json")
    assert status == 0 and json.loads(out)["unchanged"] == 2
    status, out, _ = run(capsys, "rebates", "batch", reference)
    assert "1 accepted, 1 rejected" in out
    ack.write_text(ack.read_text(encoding="utf-8").replace(",2,", ",9,"), encoding="utf-8")
    status, _, err = run(capsys, "rebates", "acknowledge", str(ack))
    assert status == 1 and "line 3, column 2 (declaration_number)" in err
