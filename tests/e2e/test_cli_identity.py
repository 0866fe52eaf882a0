"""``customs subjects / keys / mandates`` end to end: the admin's commands over one store."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

USCC = "91310000MA1FL0XQ8W"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_a_broker_issue_a_key_grant_a_mandate_check_and_revoke(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, out, _ = run(
        capsys, "subjects", "add", "brk", "--name", "Broker", "--role", "broker",
        "--party", "edi:BROKER01", "--json",
    )  # fmt: skip
    assert status == 0 and json.loads(out)["parties"] == [{"scheme": "edi", "party_id": "BROKER01"}]
    status, out, _ = run(capsys, "mandates", "grant", "brk", USCC, "--to", "2099-12-31")
    assert status == 0 and f"{USCC} -> brk" in out
    status, out, err = run(capsys, "keys", "issue", "brk", "--label", "edi", "--json")
    issued = json.loads(out)
    key = issued["key"]
    assert status == 0 and key.startswith("gck_")

    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    status, out, _ = run(capsys, "keys", "check")
    assert status == 0
    assert json.loads(out)["party_ids"] == sorted(["BROKER01", USCC])

    status, out, _ = run(capsys, "keys", "list", "--json")
    listed = json.loads(out)
    assert listed["key_id"] == issued["details"]["key_id"] and key not in out

    status, out, _ = run(capsys, "keys", "revoke", listed["key_id"])
    assert status == 0 and "revoked" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    status, _, err = run(capsys, "keys", "check")
    assert status == 1 and "not authenticated" in err


def test_a_key_issued_with_scopes_shows_and_checks_them(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    run(
        capsys,
        "subjects",
        "add",
        "brk",
        "--name",
        "Broker",
        "--role",
        "broker",
        "--party",
        "edi:B1",
    )
    status, out, _ = run(capsys, "keys", "issue", "brk", "--scope", "quote", "--scope", "read")
    assert status == 0 and "scopes read,quote" in out
    key = out.splitlines()[-1]
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    status, out, _ = run(capsys, "keys", "check")
    assert status == 0
    assert json.loads(out)["scopes"] == ["quote", "read"]
    assert json.loads(out)["permissions"] == ["quote", "read"]
    status, out, _ = run(capsys, "keys", "list")
    assert status == 0 and "scopes read,quote" in out
    status, _, err = run(capsys, "keys", "issue", "brk", "--scope", "officer")
    assert status == 1
    assert "scope officer is outside the permissions of subject brk's role broker" in err
    status, out, _ = run(capsys, "keys", "list", "--json")
    assert json.loads(out)["scopes"] == ["read", "quote"]  # one key: the refused one was not made


def test_a_bad_party_id_is_refused_with_what_is_wrong(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, _, err = run(
        capsys, "subjects", "add", "t1", "--name", "T", "--role", "trader",
        "--party", "91310000MA1FL0XQ8X",
    )  # fmt: skip
    assert status == 1 and "invalid USCC '91310000MA1FL0XQ8X'" in err
    status, out, _ = run(capsys, "subjects", "list")
    assert status == 0 and out == ""


def test_an_officer_of_an_unregistered_office_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, _, err = run(
        capsys, "subjects", "add", "o1", "--name", "O", "--role", "officer",
        "--office", "2201", "--office", "9998",
    )  # fmt: skip
    assert status == 1
    assert "customs offices not in the customs-offices registry: 9998" in err
    status, out, _ = run(capsys, "subjects", "list")
    assert status == 0 and out == ""
    status, _, _ = run(
        capsys, "subjects", "add", "o1", "--name", "O", "--role", "officer", "--office", "2201"
    )
    assert status == 0


def test_submit_as_a_subject_checks_the_envelope_sender(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    sample = str(SAMPLES / "01-import-d96b.edi")
    run(capsys, "subjects", "add", "trader-b", "--name", "B", "--role", "trader",
        "--party", "91440300MA5DC8E3L9")  # fmt: skip
    status, out, _ = run(capsys, "submit", "--as", "trader-b", "--json", sample)
    refused = json.loads(out)
    assert status == 0 and refused["status"] == "rejected"
    assert refused["errors"][0]["code"] == "sender"
    status, _, err = run(capsys, "submit", "--as", "nobody", sample)
    assert status == 1 and "no subject nobody" in err
    # The operator still files anything, and is told that --sender overrides the envelope.
    status, out, err = run(capsys, "submit", "--sender", "X9", "--json", sample)
    assert status == 0 and json.loads(out)["sender"] == "X9"
    assert "filing under sender X9" in err
