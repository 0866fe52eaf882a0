"""The rule catalogue: unique ids, titles in both languages, documented with their versions."""

from __future__ import annotations

import pytest

from rules.controls import ALL_RULES, rule_by_id
from rules.findings import Rule
from rules.risk import RiskEngine

from .builders import ROOT

RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
RISK_DOC = (ROOT / "docs" / "risk-rulesets.md").read_text(encoding="utf-8")


def test_rule_ids_are_unique_and_titled() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids)) == 26
    assert all(r.title_zh and r.title_en and r.version >= 1 for r in ALL_RULES)
    assert rule_by_id("LIC-007").title_en == "Licence has a use left"
    with pytest.raises(KeyError):
        rule_by_id("NOPE-1")


@pytest.mark.parametrize("control", ALL_RULES, ids=lambda r: r.id)
def test_every_control_is_documented_with_its_version(control: Rule) -> None:
    assert f"| {control.id} | {control.version} | {control.title_zh} |" in RULES_DOC


def test_every_shipped_risk_row_is_documented() -> None:
    ruleset = RiskEngine.builtin().ruleset("cn-default")
    for rule in ruleset.rows:
        assert f"| {rule} |" in RISK_DOC, rule
