"""``customs offices load / list`` end to end: the sample file, a reload, a bad line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clearance.cli import main

# The registry starts empty here: these tests load it themselves.
pytestmark = [pytest.mark.db, pytest.mark.no_offices]

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "offices" / "offices.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", url)
    return url


def test_load_list_and_reload_the_sample_offices(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "offices", "load", str(SAMPLE))
    assert (status, err) == (0, "")
    assert out == "11 offices loaded: 11 added, 0 changed, 0 unchanged\n"
    status, out, _ = run(capsys, "offices", "load", str(SAMPLE))
    assert (status, out) == (0, "11 offices loaded: 0 added, 0 changed, 11 unchanged\n")

    status, out, _ = run(capsys, "offices", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["code", "country", "valid", "from", "valid", "to", "name"]
    assert lines[1].split() == ["0201", "CN", "2000-01-01", "-", "Customs", "office", "0201"]
    assert len(lines) == 12

    status, out, _ = run(capsys, "offices", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["code"] for row in rows][-2:] == ["GB000051", "JSA"]
    assert rows[-1] == {
        "code": "JSA",
        "name": "Customs office JSA",
        "name_zh": None,
        "country": "ZA",
        "valid_from": "2000-01-01",
        "valid_to": None,
    }


def test_a_bad_line_is_refused_with_its_place_and_nothing_is_loaded(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "offices.jsonl"
    path.write_text(
        '{"code": "9901", "name": "A", "country": "CN", "valid_from": "2020-01-01"}\n'
        '{"code": "4701", "name": "B", "country": "CN", "valid_from": "2020-13-01"}\n',
        encoding="utf-8",
    )
    status, out, err = run(capsys, "offices", "load", str(SAMPLE), str(path))
    assert (status, out) == (1, "")
    assert err.startswith(f"customs: {path}:2: valid_from: "), err
    assert "; " not in err  # the sample and the good line raised nothing
    # The sample file named first was not written either: one transaction.
    status, out, _ = run(capsys, "offices", "list", "--json")
    assert (status, out) == (0, "")


def test_the_demo_loads_the_sample_offices(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A samples directory of one interchange and the offices file: the demo's own steps.
    samples = SAMPLE.parents[1]
    (tmp_path / "edifact").mkdir()
    (tmp_path / "offices").mkdir()
    shutil.copy(samples / "edifact" / "01-import-d96b.edi", tmp_path / "edifact")
    shutil.copy(SAMPLE, tmp_path / "offices")
    status, out, _ = run(capsys, "demo", "--samples", str(tmp_path))
    assert status == 0
    assert "loading the sample customs offices (offices.jsonl)" in out
    status, out, _ = run(capsys, "offices", "list", "--json")
    assert len(out.splitlines()) == 11
