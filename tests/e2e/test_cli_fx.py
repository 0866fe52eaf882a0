"""``customs fx import / indicators / classify / show`` end to end."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from core.clock import FixedClock
from tests.integration.fx_support import EXPORTER, INSTANT, add_declaration, application

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_fx_commands(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("clearance.app.context.SystemClock", lambda: FixedClock(INSTANT))
    application(engine)
    add_declaration(engine, "220120260000000001", EXPORTER, date(2026, 6, 3), [("1000000", "USD")])
    good = tmp_path / "feed.csv"
    good.write_text(
        "bank,reference,trader,kind,value_date,currency,amount\n"
        f"BKCHCNBJ,R1,{EXPORTER},receipt,2026-06-25,USD,200000\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "fx", "import", str(good))
    assert status == 0 and "1 rows, 1 new (1 receipts, 0 payments)" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace("receipt,", "refund,"), "utf-8")
    status, _, err = run(capsys, "fx", "import", str(bad))
    assert status == 1 and "line 2, column 4 (kind)" in err and "kept as bank feed 2" in err

    status, out, _ = run(capsys, "fx", "indicators", "--month", "2026-06", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["indicators"]["gap_ratio"] == "-0.6667"
    status, out, _ = run(capsys, "fx", "classify", "--month", "2026-06")
    assert status == 0 and "C until 2027-07-15 (new notice, objections by 2026-07-24)" in out
    assert "FX-C01" in out
    status, out, _ = run(capsys, "fx", "show", EXPORTER, "--json")
    shown = json.loads(out)
    assert shown["current"]["grade"] == "C" and len(shown["history"]) == 1
    status, _, err = run(capsys, "fx", "show", "91330200MA2AJ6YF1B")
    assert status == 1 and "no FX monitoring record" in err


def test_goods_feed_files_written_after_the_commit(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("clearance.app.context.SystemClock", lambda: FixedClock(INSTANT))
    application(engine)
    add_declaration(engine, "220120260000000001", EXPORTER, date(2026, 6, 3), [("1000000", "USD")])
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    status, out, err = run(capsys, "fx", "feed", "--out", str(blocked))
    assert status == 1 and out == "" and "the feed is stored" in err
    reference = err.split("customs fx feed-batch ")[1].split()[0]
    status, out, _ = run(capsys, "fx", "feed", "--out", str(tmp_path / "x"))
    assert status == 0 and ": 0 rows" in out  # the row went with the first feed
    status, out, _ = run(capsys, "fx", "feed-batch", reference, "--out", str(tmp_path / "again"))
    assert status == 0
    data = (tmp_path / "again" / f"{reference}.csv").read_text(encoding="utf-8")
    control = (tmp_path / "again" / f"{reference}.control.csv").read_text(encoding="utf-8")
    assert "220120260000000001" in data and control.splitlines()[1].startswith(f"{reference},1,1,")


def test_the_sample_bank_feed_reads() -> None:
    from clearance.fx.bank_feed import parse_feed

    sample = Path(__file__).resolve().parents[2] / "samples" / "fx" / "bank-feed-2026-06.csv"
    rows = parse_feed(sample.name, sample.read_bytes())
    assert [r.kind for r in rows] == ["receipt", "receipt", "payment", "receipt"]


def test_fx_objection_commands(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("clearance.app.context.SystemClock", lambda: FixedClock(INSTANT))
    application(engine)
    add_declaration(engine, "220120260000000001", EXPORTER, date(2026, 6, 3), [("1000000", "USD")])
    status, out, _ = run(capsys, "fx", "classify", "--month", "2026-06")
    assert status == 0 and "C until 2027-07-15" in out
    status, out, _ = run(capsys, "fx", "object", EXPORTER, "--grounds", "receipts abroad")
    assert status == 0 and "objection 1: " in out and "class C of 2026-07-15" in out
    assert "pending" in out
    status, _, err = run(capsys, "fx", "object", EXPORTER, "--grounds", "again")
    assert status == 1 and "already has objection 1 (pending)" in err
    status, out, _ = run(capsys, "fx", "objections", "--status", "pending", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["id"] == 1 and row["grounds"] == "receipts abroad"
    with pytest.raises(SystemExit):  # argparse: only A or B can be lower than a class
        run(capsys, "fx", "decide", "1", "--grant", "C", "--note", "x")
    assert "invalid choice: 'C'" in capsys.readouterr().err
    status, out, _ = run(capsys, "fx", "decide", "1", "--grant", "B", "--note", "proven")
    assert (
        status == 0 and "granted" in out and "new class B from 2026-07-15 until 2027-07-15" in out
    )
    status, out, _ = run(capsys, "fx", "show", EXPORTER)
    assert f"{EXPORTER}: class B from 2026-07-15" in out and "FX-OBJ" in out
    status, out, _ = run(capsys, "fx", "objection", "1", "--json")
    assert json.loads(out)["result"]["grade"] == "B"
