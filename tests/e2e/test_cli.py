"""The ``customs`` command as other tools use it: names, JSON contract, exit status."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_submit_json_follows_the_contract(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [SAMPLES / "01-import-d96b.edi", SAMPLES / "06-errors-d96b.edi"]
    status, out, _ = run(capsys, "submit", "--json", *map(str, files))
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2
    first, errors = lines
    for key in (
        "file",
        "message_id",
        "format",
        "message_type",
        "status",
        "errors",
        "acknowledgement",
        "declarations",
    ):
        assert key in first
    assert (first["format"], first["message_type"], first["status"]) == (
        "edifact",
        "CUSDEC",
        "accepted",
    )
    assert set(first["acknowledgement"]) >= {"format", "text", "errors"}
    (declaration,) = first["declarations"]
    for key in ("number", "direction", "status", "lane", "decision", "items", "response"):
        assert key in declaration
    assert declaration["direction"] == "import"
    assert set(declaration["items"][0]) >= {
        "sequence",
        "commodity_code",
        "origin_country",
        "customs_value",
        "duties",
    }
    assert declaration["response"].startswith("UNA")
    rejected = [d for d in errors["declarations"] if d["status"] == "rejected"]
    reason = rejected[0]["reasons"][0]
    assert set(reason) >= {"code", "text", "segment", "line", "column"}
    assert all(
        e.keys() >= {"code", "text", "segment", "line", "column"}
        for e in errors["acknowledgement"]["errors"]
    )


def test_a_resubmitted_file_is_a_duplicate(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = str(SAMPLES / "01-import-d96b.edi")
    run(capsys, "submit", "--json", sample)
    _, out, _ = run(capsys, "submit", "--json", sample)
    assert json.loads(out)["status"] == "duplicate"


def test_lists_and_show(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "submit", str(SAMPLES / "01-import-d96b.edi"))
    status, out, _ = run(capsys, "messages", "list", "--json")
    assert status == 0
    (message,) = [json.loads(line) for line in out.splitlines()]
    assert (message["status"], message["answers"]) == ("accepted", 2)
    _, out, _ = run(capsys, "declarations", "list", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    number = row["number"]
    status, out, _ = run(capsys, "declarations", "show", number, "--json")
    shown = json.loads(out)
    assert status == 0
    assert shown["declaration"]["sender_reference"] == "BRK-2026-0001"
    assert [r["message_type"] for r in shown["responses"]] == ["CUSRES"]
    status, out, _ = run(capsys, "declarations", "show", number)
    assert status == 0
    assert number in out and "0304620000" in out
    status, _, err = run(capsys, "declarations", "show", "999999999999999999")
    assert status == 1 and "no declaration" in err


def test_exit_status_is_zero_for_rejections_and_one_for_unreadable_files(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.edi"
    garbage.write_bytes(b"this is not EDI at all")
    status, out, _ = run(capsys, "submit", "--json", str(garbage))
    assert status == 0
    assert json.loads(out)["status"] == "rejected"
    status, _, err = run(capsys, "submit", str(tmp_path / "missing.edi"))
    assert status == 1 and "cannot read" in err


def test_a_refused_change_exits_one_and_is_printed_as_any_answer(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, out, _ = run(capsys, "submit", "--json", str(SAMPLES / "01-import-d96b.edi"))
    number = json.loads(out)["declarations"][0]["number"]
    _, out, _ = run(capsys, "declarations", "show", number, "--json")
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(json.loads(out)["declaration"]), encoding="utf-8")
    invalidate = ["declarations", "invalidate", number, "--reason", "not shipped"]

    status, out, err = run(capsys, *invalidate, "--reference", "CAN-1", "--json")
    assert (status, json.loads(out)["declarations"][0]["status"], err) == (0, "invalidated", "")
    # The same request again (same reference and content) is a duplicate: done already, 0.
    status, out, _ = run(capsys, *invalidate, "--reference", "CAN-1", "--json")
    assert (status, json.loads(out)["status"]) == (0, "duplicate")

    # Refused: the answer is printed as ever (stdout, --json alike), and the command fails.
    status, out, err = run(capsys, *invalidate, "--reference", "CAN-2", "--json")
    assert status == 1
    assert json.loads(out)["declarations"][0]["status"] == "rejected"
    assert err == f"customs: refused: declaration {number} is already invalidated\n"
    status, out, err = run(capsys, *invalidate[:-2], "--reason", "again")
    assert status == 1 and "already invalidated" in out and "refused" in err
    status, out, err = run(capsys, "declarations", "amend", number, str(edited), "--json")
    assert status == 1 and json.loads(out)["declarations"][0]["status"] == "rejected"
    assert err.startswith("customs: refused: ") and "Traceback" not in err


def test_bad_input_never_prints_a_traceback(database: str, tmp_path: Path) -> None:
    cases = {
        "binary.edi": bytes(range(256)),
        "una-only.edi": b"UNA:+.? '",
        "truncated.edi": (SAMPLES / "01-import-d96b.edi").read_bytes()[:700],
        "bad-utf8.edi": b"UNB+UNOW:3+S+R+261128:1200+X1'UNH+1+CUSDEC:D:96B:UN'BGM+929+\xff'",
    }
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(
            [sys.executable, "-m", "clearance.cli", "submit", "--json", str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert result.returncode == 0, (name, result.stderr)
        assert json.loads(result.stdout)["status"] == "rejected", name


def test_a_tariff_question_with_a_bad_option_is_one_line_naming_it(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    quote = ("tariff", "quote", "2204210000", "--on", "2026-11-28", "--quantity", "750", "LTR")
    status, _, err = run(capsys, *quote, "--origin", "ZZ", "--value", "1000", "USD")
    assert status == 1
    assert err == "customs: --origin: 'ZZ' is not an ISO 3166-1 country code\n"
    status, _, err = run(capsys, *quote, "--origin", "AU", "--value", "1000", "US")
    assert status == 1 and err.startswith("customs: --currency: ")
    status, _, err = run(
        capsys, "tariff", "show", "2204210000", "--on", "2026-11-28", "--origin", "XX"
    )
    assert status == 1 and "--origin: 'XX' is not an ISO 3166-1 country code" in err


def test_a_reader_that_goes_away_gets_no_traceback(database: str, tmp_path: Path) -> None:
    # ``customs submit … | head -1``: the pipe is closed before the outcome is printed.
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database}
    command = [sys.executable, "-m", "clearance.cli", "submit", str(SAMPLES / "01-import-d96b.edi")]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # long before the interpreter has started
    err = child.stderr.read()
    assert child.wait(timeout=120) == 1
    assert "Traceback" not in err and "Exception ignored" not in err, err
    # The work was done all the same: the resend is a duplicate.
    again = subprocess.run(
        [*command[:4], "--json", *command[4:]], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(again.stdout)["status"] == "duplicate"


def _free_port() -> int:
    with socket.socket() as probe:  # bound and closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "shown", "hint"),
    [
        (
            "postgresql+psycopg://postgres:s3cret@127.0.0.1:{port}/customs",
            "postgresql+psycopg://postgres:***@127.0.0.1:{port}/customs",
            "server is running",
        ),
        ("sqlite:///{tmp}/no/such/dir/customs.db", "sqlite:///{tmp}/no/such/dir/customs.db", "dir"),
    ],
)
def test_an_unreachable_database_is_one_clear_line(
    tmp_path: Path, url: str, shown: str, hint: str
) -> None:
    port = _free_port()
    url, shown = (u.format(port=port, tmp=tmp_path) for u in (url, shown))
    result = subprocess.run(
        [sys.executable, "-m", "clearance.cli", "declarations", "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "CUSTOMS_DATABASE_URL": url},
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()  # one line, no traceback
    assert line.startswith(f"customs: cannot open the database {shown}: ")
    assert hint in line and "s3cret" not in line


def _without_clock(line: str) -> Any:
    # The answers' envelopes carry the wall clock's date and minute (UNB 0017/0019).
    return json.loads(re.sub(r"\+\d{6}:\d{4}\+", "+DATE:TIME+", line))


def test_submit_in_batches_answers_each_file_as_one_by_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Every EDIFACT sample (an amendment and a cancellation of declarations filed earlier in
    # the same run, a file with errors answered by CONTRL), an unreadable path in the middle
    # and a resend at the end: the same answers, exit status and errors with batches of three
    # as one unit per file.
    files = sorted(SAMPLES.glob("*.edi"))
    files = [*files[:4], tmp_path / "missing.edi", *files[4:], files[0]]
    runs = {}
    for batch in ("1", "3"):
        store = tmp_path / f"batch{batch}.db"
        monkeypatch.setenv("CUSTOMS_DATABASE_URL", f"sqlite:///{store}")
        status, out, err = run(capsys, "submit", "--json", "--batch", batch, *map(str, files))
        runs[batch] = (status, [_without_clock(line) for line in out.splitlines()], err)
        with sqlite3.connect(store) as connection:
            kinds = [kind for (kind,) in connection.execute("SELECT kind FROM events ORDER BY id")]
        if batch == "3":  # the batch path was taken: the three receipts come first
            assert kinds[:3] == ["received"] * 3
        else:  # one unit per file: a file's events follow its receipt
            assert kinds[0] == "received" and kinds[1] != "received"
    assert runs["1"] == runs["3"]
    status, lines, err = runs["3"]
    assert status == 1 and "cannot read" in err
    assert len(lines) == len(files) - 1
    assert lines[-1]["status"] == "duplicate"


@pytest.mark.parametrize(
    "argv",
    [
        ("messages", "list", "--limit", "-5"),
        ("messages", "list", "--limit", "0"),
        ("messages", "stuck", "--limit", "-1"),
        ("messages", "dead", "--limit", "0"),
        ("declarations", "list", "--limit", "-1"),
        ("events", "--limit", "0"),
        ("officer", "queue", "--limit", "-3"),
    ],
)
def test_a_limit_below_1_is_a_usage_error_on_every_backend(
    database: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    # Before: SQLite read LIMIT -5 as no limit at all, PostgreSQL failed in the store.
    assert main(["submit", str(SAMPLES / "01-import-d96b.edi")]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "--limit: must be 1 or more" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("worker", "--drain", "--concurrency", "0"), "--concurrency: must be 1 or more, not 0"),
        (("worker", "--drain", "--concurrency", "-1"), "--concurrency: must be 1 or more"),
        (("worker", "--drain", "--health-port", "99999"), "must be a port from 0 to 65535"),
        (("scheduler", "--health-port", "-1"), "must be a port from 0 to 65535"),
    ],
)
def test_worker_and_scheduler_options_out_of_range_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], words: str
) -> None:
    # Before: 0 threads hung a draining worker, -1 and port 99999 ended in a traceback.
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_a_health_port_in_use_is_one_clear_line(database: str, command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "clearance.cli", command, "--drain", "--health-port", str(port)]
            if command == "worker"
            else [sys.executable, "-m", "clearance.cli", command, "--health-port", str(port)],
            capture_output=True,
            text=True,
            env={**os.environ, "CUSTOMS_DATABASE_URL": database},
            check=False,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert (
        last == f"customs: cannot serve health checks on 127.0.0.1:{port}: Address already in use"
    )


def test_a_rejected_manifest_says_why_in_the_human_output(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    x12 = SAMPLES.parent / "x12" / "01-manifest-v123e-4010.x12"
    text = x12.read_text().replace("*700000*VN~", "*700000*XX~", 1)
    assert "*700000*XX~" in text
    (tmp_path / "bad.x12").write_text(text)
    status, out, _ = run(capsys, "submit", str(tmp_path / "bad.x12"))
    assert status == 0
    lines = out.splitlines()
    assert lines[1] == "  manifest - : rejected, bills -"
    assert lines[2] == "    invalid_country at N4 line 11 column 1: 'XX' is not ISO 3166 alpha-2"
