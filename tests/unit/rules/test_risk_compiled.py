"""The risk tables matched in Python give exactly zen-engine's hits (rules/risk/compiled.py)."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from typing import Any

import pytest

import rules.risk.compiled as compiled
from rules.risk import BUILTIN_DIRECTORY, RiskEngine, parse_ruleset, risk_contexts
from rules.risk.compiled import CompiledTables
from rules.risk.inputs import HEADER_FIELDS, INPUT_FIELDS

from .builders import context

ENGINE = RiskEngine.builtin()
SHIPPED = ("cn-default", "eu-default")
_QUOTED = re.compile(r'"([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _probes(graph: dict[str, Any]) -> dict[str, list[object]]:
    """Per input field, values on both sides of every cell: its strings, its numbers ± 1,
    the same as text and as booleans, and null."""
    probes: dict[str, list[object]] = {field: [None, True, False, "", 0] for field in INPUT_FIELDS}
    for node in graph["nodes"]:
        if node["type"] != "decisionTableNode":
            continue
        fields = {c["id"]: c["field"] for c in node["content"]["inputs"]}
        for row in node["content"]["rules"]:
            for column, field in fields.items():
                cell = row.get(column, "")
                probes[field] += _QUOTED.findall(cell)
                for text in _NUMBER.findall(_QUOTED.sub("", cell)):
                    number = float(text)
                    probes[field] += [number, number - 1, number + 1, int(number), text]
    return probes


def _random_contexts(graph: dict[str, Any], count: int) -> list[dict[str, object]]:
    probes = _probes(graph)
    draw = random.Random(15)
    return [{field: draw.choice(values) for field, values in probes.items()} for _ in range(count)]


@pytest.mark.parametrize("ruleset_id", SHIPPED)
def test_the_shipped_rulesets_are_matched_in_python_as_zen_matches_them(ruleset_id: str) -> None:
    loaded = ENGINE.ruleset(ruleset_id)
    tables = CompiledTables.of(loaded.graph)
    assert tables is not None
    items = _random_contexts(loaded.graph, 3000)
    hit_rules: set[str] = set()
    for item in items:
        ours = tables.rules(item)
        assert ours == ENGINE.zen_rules(loaded.version, item), item
        hit_rules.update(rule for rules in ours.values() for rule in rules)
    # The probes reach every row: the comparison covers each cell, not only the catch-alls.
    assert hit_rules == set(loaded.rows)


def test_declarations_assessed_through_the_compiled_tables_are_assessed_as_by_zen() -> None:
    loaded = ENGINE.ruleset("cn-default")
    zen_only = _ZenOnly([loaded])
    for n in range(60):
        ctx = context(values_cny={1: Decimal(115000 + n * 300_000)}, number=f"22012026{n:010d}")
        ours = ENGINE.assess(ctx, "cn-default", "seed")
        assert ours == zen_only.assess(ctx, "cn-default", "seed")


class _ZenOnly(RiskEngine):
    """The engine as it was: zen-engine walks every graph."""

    def _results(self, loaded: Any, contexts: Any, same: Any = frozenset()) -> Any:
        return [self.zen_rules(loaded.version, c) for c in contexts]


def _edited(cell_from: str, cell_to: str) -> Any:
    text = (BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8")
    assert cell_from in text
    return parse_ruleset(text.replace(cell_from, cell_to, 1), "edited.json", "edited")


def test_a_cell_naming_another_field_is_left_to_zen() -> None:
    # `origin` in a heading cell: its truth depends on the whole item, not on the heading alone.
    edited = _edited('"\\"0304\\""', '"\\"0304\\" and origin == \\"VN\\""')
    assert CompiledTables.of(edited.graph) is None
    engine = RiskEngine([edited])
    ctx = context(values_cny={1: Decimal("115000")})
    assert {h.rule for h in engine.assess(ctx, "edited", "seed").hits} >= {"RISK-COM-001"}
    item = dict(risk_contexts(ctx)[0], origin="TH")
    assert "RISK-COM-001" not in engine.zen_rules(edited.version, item)["commodity_origin"]


def test_a_table_of_another_shape_is_left_to_zen() -> None:
    graph = json.loads((BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8"))
    table = next(n for n in graph["nodes"] if n["type"] == "decisionTableNode")
    table["content"]["executionMode"] = "loop"
    assert CompiledTables.of(graph) is None
    table["content"]["executionMode"] = "single"
    graph["nodes"][0]["content"] = {"schema": "{}"}
    assert CompiledTables.of(graph) is None


def test_the_remembered_row_sets_stay_bounded_and_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "ROW_SETS_KEPT", 8)
    loaded = ENGINE.ruleset("cn-default")
    tables = CompiledTables.of(loaded.graph)
    assert tables is not None
    for item in _random_contexts(loaded.graph, 400):
        assert tables.rules(item) == ENGINE.zen_rules(loaded.version, item)
        assert len(tables._holding) <= 8


@pytest.mark.parametrize("ruleset_id", SHIPPED)
def test_the_items_of_one_declaration_share_their_header_columns(ruleset_id: str) -> None:
    # rules_of_items matches the declaration-level columns once, on the first item: each item
    # must still get zen's hits for the whole of its context, the header fields included.
    loaded = ENGINE.ruleset(ruleset_id)
    tables = CompiledTables.of(loaded.graph)
    assert tables is not None
    header = frozenset(HEADER_FIELDS)
    heads = _random_contexts(loaded.graph, 300)
    items = _random_contexts(loaded.graph, 1500)
    hit_rules: set[str] = set()
    for n, head in enumerate(heads):
        shared = {field: value for field, value in head.items() if field in header}
        declaration = [{**item, **shared} for item in items[n * 5 : n * 5 + 5]]
        ours = tables.rules_of_items(declaration, header)
        assert ours == [ENGINE.zen_rules(loaded.version, item) for item in declaration]
        hit_rules.update(rule for result in ours for rules in result.values() for rule in rules)
    assert hit_rules == set(loaded.rows)
    assert tables.rules_of_items([], header) == []


def _numbers(draw: random.Random, thresholds: list[float], count: int) -> list[object]:
    """Numbers on both sides of and at every threshold, near and far, ints and floats."""
    values: list[object] = [0, -1, 1e14, 10**16, -(10**16), True, False]
    for _ in range(count):
        threshold = draw.choice(thresholds)
        sign = draw.choice([-1, 1])
        offset = sign * draw.choice([0, 1e-9, 1e-7, 1e-3, 0.01, 0.5, 1, 7, 1000, 1e6])
        value = threshold + offset * max(1.0, abs(threshold))
        values.append(int(value) if draw.random() < 0.3 else value)
    values += [draw.uniform(-1e8, 1e8) for _ in range(count)]
    return values


@pytest.mark.parametrize(
    ("cells", "thresholds"),
    [
        ((">= 10000000", ">= 10000000"), [10_000_000.0]),
        (("[5000..20000)", "< 300"), [300.0, 5000.0, 20000.0]),
        (("(5000..20000]", "12"), [12.0, 5000.0, 20000.0]),
    ],
)
def test_numbers_between_the_same_thresholds_share_the_rows_zen_gives(
    cells: tuple[str, str], thresholds: list[float]
) -> None:
    # A column of plain number comparisons is remembered by the band a value falls in, not by
    # the value: every number must still get zen's rows, and most must come from a band.
    text = (BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8")
    for cell in cells:
        text = text.replace('">= 10000000"', json.dumps(cell), 1)
    edited = parse_ruleset(text, "edited.json", "edited")
    zen = RiskEngine([edited])
    tables = CompiledTables.of(edited.graph)
    assert tables is not None
    draw = random.Random(6)
    base = _random_contexts(edited.graph, 1)[0]
    for value in _numbers(draw, thresholds, 800):
        item = dict(base, declaration_value_cny=value)
        assert tables.rules(item) == zen.zen_rules(edited.version, item), value
    bands = [key for key in tables._holding if len(key) == 5]
    values = [key for key in tables._holding if len(key) == 4 and key[1] == _value_column(tables)]
    assert len(bands) <= 2 * (len(thresholds) + 1)  # int and float per band
    assert len(bands) > 0 and len(values) < 800  # most numbers were banded
    # Not numbers zen reads as such, or not exactly: each asked of zen for itself.
    assert all(compiled._band((1.0,), v) is None for v in (float("nan"), float("inf"), True))


def _value_column(tables: CompiledTables) -> int:
    (column,) = [
        n
        for table in tables._tables
        for n, (field, _) in enumerate(table.columns)
        if field == "declaration_value_cny"
    ]
    return column
