"""Profiles of one's own: rules for other guides' shapes, loading from a path, bad files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edi.edifact.cusdec import map_cusdec
from edi.edifact.profile import (
    PROFILES_DIR,
    ProfileError,
    load_profile,
    load_profile_file,
    profile_set,
)
from edi.edifact.segments import Segment
from edi.edifact.tokenizer import tokenize
from edi.model import Direction

DEFAULT = load_profile("default")
UNB = "UNB+UNOC:3+AUEXPORTER:ZZZ+CNCUSTOMS:ZZZ+261128:0930+R1'"

#: A D99B export written to another administration's guide: the commodity code in an
#: item-level RFF+HS, not in CST; the invoice total's amount left empty (conditional).
OTHER_GUIDE = """
BGM+830+AU-EXP-77+9'
LOC+22+5316'
DTM+137:20261128:102'
MOA+39::AUD'
UNS+D'
CST+1'
FTX+AAA+++WOOL TOPS:COMBED'
LOC+27+AU'
MOA+38:5000.00:AUD'
RFF+HS:5105291000'
UNS+S'
"""


def message(body: str, directory: str = "D:99B") -> list[Segment]:
    lines = [line for line in body.strip().splitlines() if line.strip()]
    text = "\n".join([UNB, f"UNH+1+CUSDEC:{directory}:UN'", *lines, f"UNT+{len(lines) + 2}+1'"])
    segments = list(tokenize((text + "\nUNZ+1+R1'").encode()))
    return [s for s in segments if s.tag not in ("UNB", "UNZ")]


def own_profile(tmp_path: Path, rules: list[dict[str, Any]], name: str = "au-like") -> Path:
    data = json.loads((PROFILES_DIR / "default.json").read_text(encoding="utf-8"))
    data.update(name=name, description="a guide of one's own", rules=rules)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


ITEM_HS: dict[str, Any] = {
    "segment": "RFF",
    "scope": "item",
    "group": "SG30/SG35",
    "when": {"0.0": "HS"},
    "value": "0.1",
    "field": "commodity_code",
}


def test_the_default_profile_cannot_read_the_other_guide_but_reports_what_it_read() -> None:
    result = map_cusdec(message(OTHER_GUIDE), DEFAULT)
    assert result.declaration is None
    texts = [i.text for i in result.issues]
    assert not any("is not a number" in t for t in texts), texts  # the empty amount is absent
    assert any("commodity code" in t for t in texts), texts
    assert result.read["direction"] == "export"  # BGM 830, even though refused
    assert result.read["sender_reference"] == "AU-EXP-77"


def test_a_profile_file_of_ones_own_maps_the_item_level_reference(tmp_path: Path) -> None:
    profile = load_profile_file(own_profile(tmp_path, [ITEM_HS]))
    result = map_cusdec(message(OTHER_GUIDE), profile)
    assert result.issues == (), result.issues
    declaration = result.declaration
    assert declaration is not None and declaration.direction is Direction.EXPORT
    assert declaration.invoice_currency == "AUD" and declaration.invoice_total is None
    (item,) = declaration.items
    assert item.commodity_code == "5105291000"
    assert item.value is not None and item.value.value == Decimal("5000.00")


def test_a_group_rule_does_not_fire_outside_its_group(tmp_path: Path) -> None:
    header_rff = OTHER_GUIDE.replace("LOC+22+5316'", "LOC+22+5316'\nRFF+HS:0101210000'")
    rule = {**ITEM_HS, "scope": "header", "field": "remarks"}
    profile = load_profile_file(own_profile(tmp_path, [ITEM_HS, rule]))
    result = map_cusdec(message(header_rff), profile)
    assert result.declaration is not None
    assert result.declaration.remarks is None  # SG1 RFF is not SG30/SG35
    assert result.declaration.items[0].commodity_code == "5105291000"


def test_code_list_translation_default_extract_and_repeated_components(tmp_path: Path) -> None:
    rules: list[dict[str, Any]] = [
        ITEM_HS,
        {
            "segment": "BGM",
            "value": "0.3",
            "field": "declaration_type",
            "map": {"RCD": "standard", "RSD": "supplementary"},
            "default": "RCD",
        },
        {
            "segment": "FTX",
            "scope": "item",
            "when": {"0": "AAA"},
            "value": "3.*",
            "field": "description",
        },
        {
            "segment": "LOC",
            "when": {"0.0": "22"},
            "value": "1.0",
            "field": "declaration_office",
            "extract": "^(\\d{4})",
        },
    ]
    rules[2]["when"] = {"0.0": "AAA"}
    profile = load_profile_file(own_profile(tmp_path, rules))
    result = map_cusdec(message(OTHER_GUIDE.replace("LOC+22+5316", "LOC+22+5316X")), profile)
    assert result.issues == (), result.issues
    declaration = result.declaration
    assert declaration is not None
    assert declaration.declaration_type is not None
    assert declaration.declaration_type.value == "standard"  # BGM 1000 absent: the default
    assert declaration.declaration_office == "5316"
    assert declaration.items[0].description == "WOOL TOPS COMBED"
    refused = map_cusdec(message(OTHER_GUIDE.replace("BGM+830+", "BGM+830:::XYZ+")), profile)
    assert any("'XYZ'" in i.text and i.code.value == "CODE" for i in refused.issues)


def test_a_bad_profile_names_file_line_and_problem(tmp_path: Path) -> None:
    path = own_profile(tmp_path, [{**ITEM_HS, "field": "commodity"}])
    with pytest.raises(ProfileError) as raised:
        load_profile_file(path)
    text = str(raised.value)
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1) if '"rules"' in row)
    assert str(path) in text and "rules.0" in text and "'commodity'" in text
    assert f"line {line + 1}," in text  # the rule's own line, just below "rules": [
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "name": "x",\n  "description": \n}\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken.json, line 4, column 1"):
        load_profile_file(broken)


def test_profiles_are_chosen_per_sender(tmp_path: Path) -> None:
    own_profile(tmp_path, [ITEM_HS])
    chosen = profile_set("default", [str(tmp_path)], {"AUEXPORTER": "au-like"})
    assert chosen.for_sender("AUEXPORTER").name == "au-like"
    assert chosen.for_sender("BROKER01").name == "default"
    with pytest.raises(ProfileError, match="no CUSDEC profile 'nope'"):
        profile_set("default", [], {"X": "nope"})
