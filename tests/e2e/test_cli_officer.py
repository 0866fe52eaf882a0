"""``customs officer claim | unclaim | reassign | queue | history`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.integration.test_controls_support import CONTROLS, prepare

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_claims_queue_and_history_from_the_command_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    prepare(engine)
    status, out, _ = run(capsys, "submit", "--json", str(CONTROLS / "09-discredited-trader.edi"))
    number = json.loads(out)["declarations"][0]["number"]

    status, out, _ = run(capsys, "officer", "claim", number, "--officer", "O1", "--json")
    assert status == 0 and json.loads(out)["holder"] == "O1"
    status, _, err = run(capsys, "officer", "claim", number, "--officer", "O2")
    assert status == 1 and f"declaration {number} is claimed by O1" in err

    status, out, err = run(capsys, "officer", "queue", "--json", "--claimed-by", "O1")
    (entry,) = [json.loads(line) for line in out.splitlines()]
    assert (entry["number"], entry["claimed_by"], entry["lane"]) == (number, "O1", "red")
    assert "1 waiting (1 claimed, 0 unclaimed)" in err
    status, out, _ = run(capsys, "officer", "queue", "--json", "--unclaimed")
    assert status == 0 and out == ""
    # In text, a risk rule's ruleset version is cut to 12 hex digits; JSON keeps the whole.
    status, out, _ = run(capsys, "officer", "queue")
    (line,) = out.splitlines()
    risk = [f.partition("@") for f in entry["fired_rules"] if len(f.partition("@")[2]) == 64]
    assert risk  # the red lane's risk rule
    for rule, _, version in risk:
        assert f"{rule}@{version[:12]}" in line and version not in line
    status, _, err = run(capsys, "officer", "queue", "--min-age", "5", "--max-age", "1")
    assert status == 1 and "min_age_hours is above max_age_hours" in err

    reassign = ("officer", "reassign", number, "--to", "O2", "--reason", "shift change")
    status, out, _ = run(capsys, *reassign, "--officer", "S1")
    assert status == 0 and f"{number}: claimed by O2" in out
    decide = ("officer", "decide", number, "--release", "--reason", "ok", "--version", "1")
    status, out, _ = run(capsys, *decide, "--officer", "O2")
    assert status == 0 and "released" in out

    status, out, _ = run(capsys, "officer", "history", number, "--json")
    trail = [json.loads(line) for line in out.splitlines()]
    assert [(e["kind"], e["by"]) for e in trail] == [
        ("claimed", "O1"),
        ("claim_reassigned", "S1"),
        ("officer_decided", "O2"),
    ]
    status, out, _ = run(capsys, "officer", "unclaim", number, "--officer", "O2")
    assert status == 1  # the decision ended the claim


def test_documents_and_examinations_from_the_command_line(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CUSTOMS_DOCUMENT_MAX_BYTES", "64")
    prepare(engine)
    status, out, _ = run(capsys, "submit", "--json", str(CONTROLS / "09-discredited-trader.edi"))
    number = json.loads(out)["declarations"][0]["number"]
    run(capsys, "officer", "claim", number, "--officer", "O1")

    ask = ("officer", "request-documents", number, "--document", "commercial invoice")
    due = ("--reason", "value to be proven", "--due", "2099-01-31", "--officer", "O1")
    status, _, err = run(capsys, *ask, *due, "--version", "2")
    assert status == 1 and "is at version 1, not 2" in err
    status, out, _ = run(capsys, *ask, *due, "--version", "1", "--json")
    made = json.loads(out)
    assert status == 0 and made["status"] == "documents_required"
    assert "GIS+6'" in made["response"] and "ERC+DOCREQ'" in made["response"]

    invoice, scan = tmp_path / "invoice.pdf", tmp_path / "scan.tiff"
    invoice.write_bytes(b"%PDF-1.7 invoice")
    scan.write_bytes(b"x" * 65)
    answer = ("declarations", "answer-request", number, "--request", str(made["request_id"]))
    status, _, err = run(capsys, *answer, str(invoice), str(scan))
    assert status == 1 and "scan.tiff: 65 bytes" in err
    status, out, _ = run(capsys, *answer, str(invoice), "--json")
    (kept,) = json.loads(out)["files"]
    assert status == 0 and (kept["size"], kept["filename"]) == (16, str(invoice))

    exam = ("officer", "examine", number, "--kind", "physical", "--outcome", "conform")
    what = ("--findings", "as declared", "--seal", "SL-1", "--officer", "O1", "--version", "1")
    status, _, err = run(capsys, *exam, *what, "--container", "CSQU3054384")
    assert status == 1 and "'CSQU3054384'" in err and "ISO 6346" in err
    status, out, _ = run(capsys, *exam, *what, "--container", "csqu3054383")
    assert status == 0 and "CSQU3054383" in out
    status, out, _ = run(capsys, "officer", "history", number, "--json")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == [
        "claimed",
        "documents_requested",
        "documents_presented",
        "examination_recorded",
    ]
