"""The directory transcriptions, their build script and the generated JSON tables."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from edi.edifact.directories import (
    GroupEntry,
    SegmentEntry,
    available_structures,
    load_structure,
)

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tools" / "build_directory_tables.py"
TABLES = ROOT / "edi" / "edifact" / "directories"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_directory_tables", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while defining
        spec.loader.exec_module(module)
    return module


def test_rerunning_the_script_reproduces_the_committed_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    committed = sorted(p.relative_to(TABLES) for p in TABLES.glob("*/*.json"))
    assert generated == committed
    for relative in generated:
        assert (tmp_path / relative).read_bytes() == (TABLES / relative).read_bytes(), relative


def test_check_mode_accepts_the_committed_tree() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_tables_cover_cusdec_cusres_and_contrl() -> None:
    assert set(available_structures()) >= {
        ("D96B", "CUSDEC"),
        ("D96B", "CUSRES"),
        ("D99B", "CUSDEC"),
        ("D99B", "CUSRES"),
        ("D3", "CONTRL"),
    }
    assert all(message != "segments" for _, message in available_structures())


def _top(directory: str, message: str) -> list[tuple[str, int, int]]:
    structure = load_structure(directory, message)
    return [
        (e.tag if isinstance(e, SegmentEntry) else e.name, e.min, e.max) for e in structure.entries
    ]


def test_cusdec_d96b_top_level_has_the_mandatory_skeleton() -> None:
    top = _top("D96B", "CUSDEC")
    assert top[0] == ("UNH", 1, 1)
    assert top[1] == ("BGM", 1, 1)
    assert top[-1] == ("UNT", 1, 1)
    assert [row for row in top if row[0] == "UNS"] == [("UNS", 1, 1), ("UNS", 1, 1)]
    assert [row[0] for row in top if row[1] == 1] == ["UNH", "BGM", "UNS", "UNS", "UNT"]


def test_cusdec_group_numbers_and_positions_match_the_un_table() -> None:
    groups = load_structure("D96B", "CUSDEC").groups()
    assert len(groups) == 50
    assert (groups["SG30"].trigger, groups["SG30"].position, groups["SG30"].max) == (
        "CST",
        "1210",
        9999,
    )
    assert groups["SG21"].trigger == "LIN"
    assert groups["SG41"].trigger == "TAX"
    assert load_structure("D99B", "CUSDEC").groups()["SG30"].max == 99999


def test_cusres_directories_differ_where_the_un_tables_differ() -> None:
    d96b = load_structure("D96B", "CUSRES").groups()
    d99b = load_structure("D99B", "CUSRES").groups()
    assert (d96b["SG10"].trigger, d96b["SG11"].trigger) == ("CST", "TAX")
    assert (d99b["SG10"].trigger, d99b["SG11"].trigger, d99b["SG12"].trigger) == (
        "TAX",
        "CST",
        "TAX",
    )


@pytest.mark.parametrize(("directory", "message"), available_structures())
def test_every_group_starts_with_a_mandatory_single_trigger(directory: str, message: str) -> None:
    for group in load_structure(directory, message).groups().values():
        first = group.entries[0]
        assert isinstance(first, SegmentEntry)
        assert (first.min, first.max) == (1, 1), group.name
        assert all(isinstance(e, SegmentEntry | GroupEntry) for e in group.entries)


def test_contrl_table_matches_the_syntax_3_message() -> None:
    top = _top("D3", "CONTRL")
    assert top == [
        ("UNH", 1, 1),
        ("UCI", 1, 1),
        ("SG1", 0, 999999),
        ("SG3", 0, 999999),
        ("UNT", 1, 1),
    ]


_GOOD = """\
@directory X
@message TEST
@title t
@source s
0010  0  UNH   M  1
0020  0  SG1   C  9
0030  1  RFF   M  1
0040  0  UNT   M  1
"""


def test_parser_builds_nested_groups() -> None:
    document = _tool().parse_table(_GOOD, "mem")
    assert document["structure"][1] == {
        "position": "0020",
        "group": "SG1",
        "min": 0,
        "max": 9,
        "children": [{"position": "0030", "tag": "RFF", "min": 1, "max": 1}],
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_GOOD.replace("0030  1  RFF   M  1", "0030  1  RFF   C  1"), "trigger"),
        (_GOOD.replace("SG1 ", "SG2 "), "expected SG1"),
        (_GOOD.replace("0040", "0025"), "does not ascend"),
        (_GOOD.replace("0030  1", "0030  2"), "skips a level"),
        (_GOOD.replace("@title t\n", ""), "@title"),
        (_GOOD.replace("0040  0  UNT", "0040  0  UNS"), "UNT M 1"),
    ],
)
def test_parser_rejects_malformed_transcriptions(bad: str, message: str) -> None:
    tool = _tool()
    with pytest.raises(tool.TranscriptionError, match=message):
        tool.parse_table(bad, "mem")


_SEGMENTS = """\
@directory X
@title t
@source s
BGM
  C002  C
    1001  C  an..3
  1225  C  an..3
UNS
  0081  M  a1
"""


def test_segment_specifications_parse() -> None:
    document = _tool().parse_segments(_SEGMENTS, "mem")
    assert document["segments"] == {
        "BGM": [
            {
                "id": "C002",
                "status": "C",
                "components": [{"id": "1001", "status": "C", "repr": "an..3"}],
            },
            {"id": "1225", "status": "C", "repr": "an..3"},
        ],
        "UNS": [{"id": "0081", "status": "M", "repr": "a1"}],
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_SEGMENTS.replace("an..3\n  1225", "x..3\n  1225"), "representation"),
        (_SEGMENTS.replace("    1001  C  an..3\n", ""), "no components"),
        (_SEGMENTS.replace("UNS\n", "BGM\n"), "defined twice"),
        (_SEGMENTS.replace("  C002  C", "  C002  C  an..3"), "no representation"),
        (_SEGMENTS.replace("@title t\n", ""), "header incomplete"),
    ],
)
def test_segment_specifications_reject_malformed_input(bad: str, message: str) -> None:
    tool = _tool()
    with pytest.raises(tool.TranscriptionError, match=message):
        tool.parse_segments(bad, "mem")


def test_segment_specifications_follow_the_un_directory() -> None:
    d96b = _tool().parse_segments((TABLES / "source/D96B/segments.txt").read_text(), "x")
    bgm = d96b["segments"]["BGM"]
    assert [e["id"] for e in bgm] == ["C002", "C106", "1225", "4343"]
    assert [e["id"] for e in d96b["segments"]["CST"]] == ["1496"] + ["C246"] * 5
    d99b = _tool().parse_segments((TABLES / "source/D99B/segments.txt").read_text(), "x")
    assert [e["id"] for e in d99b["segments"]["DMS"]] == ["C106", "C002", "7240"]
