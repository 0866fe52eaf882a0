"""Ruleset loading: every cell is validated, errors are located, versions are content hashes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from rules.errors import RulesetError
from rules.risk import BUILTIN_DIRECTORY, content_version, load_ruleset, parse_ruleset


def graph() -> dict[str, Any]:
    """A small valid ruleset: one criteria table and the sampling table."""

    def table(
        node_id: str,
        path: str,
        hit: str,
        inputs: list[str],
        outputs: list[str],
        rows: list[dict[str, str]],
    ) -> dict[str, Any]:
        return {
            "id": node_id,
            "name": node_id.title(),
            "type": "decisionTableNode",
            "position": {"x": 100, "y": 0},
            "content": {
                "hitPolicy": hit,
                "outputPath": path,
                "inputs": [{"id": f"i-{f}", "name": f.title(), "field": f} for f in inputs],
                "outputs": [{"id": f"o-{f}", "name": f, "field": f} for f in outputs],
                "rules": rows,
            },
        }

    criteria = table(
        "criteria",
        "criteria",
        "collect",
        ["heading", "value_cny"],
        ["rule", "lane", "score", "rate", "reason_en", "reason_zh"],
        [
            {
                "_id": "r1",
                "i-heading": '"0304","0306"',
                "i-value_cny": "> 100000",
                "o-rule": '"RISK-T-001"',
                "o-lane": '"red"',
                "o-score": "30",
                "o-rate": "0.5",
                "o-reason_en": '"fish"',
                "o-reason_zh": '"鱼"',
            },
        ],
    )
    sampling = table(
        "sampling",
        "sampling",
        "first",
        ["office"],
        ["rule", "rate", "lane"],
        [
            {
                "_id": "s1",
                "i-office": '"2201"',
                "o-rule": '"RISK-S-001"',
                "o-rate": "0.05",
                "o-lane": '"red"',
            },
            {
                "_id": "s2",
                "i-office": "",
                "o-rule": '"RISK-S-099"',
                "o-rate": "0.03",
                "o-lane": '"red"',
            },
        ],
    )
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            criteria,
            sampling,
            {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 9, "y": 0}},
        ],
        "edges": [
            {"id": f"{s}-{t}", "sourceId": s, "targetId": t, "type": "edge"}
            for s, t in [
                ("in", "criteria"),
                ("criteria", "out"),
                ("in", "sampling"),
                ("sampling", "out"),
            ]
        ],
    }


def parse(data: dict[str, Any]) -> Any:
    return parse_ruleset(json.dumps(data), "risk/test.json")


def criteria_row(data: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = data["nodes"][1]["content"]["rules"][0]
    return row


def test_builtin_rulesets_load() -> None:
    ruleset = load_ruleset(BUILTIN_DIRECTORY / "cn-default.json")
    assert ruleset.id == "cn-default"
    assert ruleset.version == content_version(ruleset.graph)
    assert {t.output_path for t in ruleset.tables} >= {"commodity_origin", "sampling"}
    assert ruleset.rows["RISK-SMP-099"].conditions == ()
    assert ruleset.rows["RISK-TRD-003"].lane.value == "green"


def test_a_valid_ruleset_loads_with_its_rows() -> None:
    ruleset = parse(graph())
    row = ruleset.rows["RISK-T-001"]
    assert row.conditions == (("heading", '"0304","0306"'), ("value_cny", "> 100000"))
    assert (row.lane.value, row.score, row.rate, row.index) == ("red", 30, 0.5, 1)


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("i-value_cny", "=> 5", "Incomplete parser output"),
        ("i-heading", '"0304', "Unexpected EOF"),
        ("i-heading", "VN", "unknown name(s) ['VN']"),
        ("i-heading", '"0304",', "Expected a literal"),
    ],
)
def test_a_bad_input_cell_fails_the_load_with_its_location(
    column: str, cell: str, reason: str
) -> None:
    data = graph()
    criteria_row(data)[column] = cell
    with pytest.raises(RulesetError) as caught:
        parse(data)
    where = caught.value.location
    assert (where.path, where.node, where.row) == ("risk/test.json", "Criteria", "1 (r1)")
    assert where.column == column.removeprefix("i-")
    assert where.expression == cell
    assert reason in caught.value.reason
    assert "risk/test.json, node 'Criteria', row 1 (r1)" in str(caught.value)


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("o-lane", '"purple"', "lane must be one of"),
        ("o-rate", "1.5", "rate must be a number from 0 to 1"),
        ("o-score", "2.5", "score must be a whole number"),
        ("o-rule", '"lowercase"', "rule must be an id"),
        ("o-rule", "value_cny * 2", "output cells must be constants"),
        ("o-reason_en", "", "empty output cell"),
        ("o-reason_zh", '"a" +', "invalid output expression"),
    ],
)
def test_a_bad_output_cell_fails_the_load(column: str, cell: str, reason: str) -> None:
    data = graph()
    criteria_row(data)[column] = cell
    with pytest.raises(RulesetError) as caught:
        parse(data)
    assert caught.value.location.column == column.removeprefix("o-")
    assert reason in caught.value.reason


def test_unknown_input_field_is_refused() -> None:
    data = graph()
    data["nodes"][1]["content"]["inputs"][0]["field"] = "hs_heading"
    with pytest.raises(RulesetError, match="'hs_heading' is not a risk input"):
        parse(data)


def test_sampling_table_may_only_read_declaration_fields() -> None:
    data = graph()
    data["nodes"][2]["content"]["inputs"][0]["field"] = "origin"
    with pytest.raises(RulesetError, match="not a risk input allowed here"):
        parse(data)


def test_sampling_table_needs_a_catch_all_last_row() -> None:
    data = graph()
    data["nodes"][2]["content"]["rules"].pop()
    with pytest.raises(RulesetError, match="catch-all"):
        parse(data)


def test_structure_errors() -> None:
    no_sampling = graph()
    del no_sampling["nodes"][2]
    no_sampling["edges"] = no_sampling["edges"][:2]
    with pytest.raises(RulesetError, match="exactly one table with outputPath 'sampling'"):
        parse(no_sampling)
    unjoined = graph()
    unjoined["edges"] = unjoined["edges"][1:]
    with pytest.raises(RulesetError, match="joined from the input node"):
        parse(unjoined)
    function_node = graph()
    function_node["nodes"][1]["type"] = "functionNode"
    with pytest.raises(RulesetError, match="node type 'functionNode'"):
        parse(function_node)
    stray = graph()
    criteria_row(stray)["o-extra"] = '"x"'
    with pytest.raises(RulesetError, match="unknown columns"):
        parse(stray)


def test_rule_ids_are_unique_across_tables() -> None:
    data = graph()
    data["nodes"][2]["content"]["rules"][0]["o-rule"] = '"RISK-T-001"'
    with pytest.raises(RulesetError, match="RISK-T-001 is already used"):
        parse(data)


def test_version_ignores_layout_and_follows_content() -> None:
    base = graph()
    moved = copy.deepcopy(base)
    moved["nodes"][1]["position"] = {"x": 500, "y": 500}
    changed = copy.deepcopy(base)
    criteria_row(changed)["o-rate"] = "0.6"
    assert parse(moved).version == parse(base).version
    assert parse(changed).version != parse(base).version


def test_invalid_json_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="invalid JSON"):
        parse_ruleset("{", "x.json")
    with pytest.raises(RulesetError, match="cannot read"):
        load_ruleset(tmp_path / "missing.json")
