"""Risk profiles as data: JDM decision tables, validated at load, versioned by content hash."""

from rules.risk.assess import RiskAssessment, RiskEngine, RiskHit, uniform
from rules.risk.inputs import HEADER_FIELDS, INPUT_FIELDS, ITEM_FIELDS, risk_contexts
from rules.risk.ruleset import (
    BUILTIN_DIRECTORY,
    Ruleset,
    content_version,
    load_ruleset,
    load_rulesets,
    parse_ruleset,
)
from rules.risk.tables import SAMPLING_PATH, RowInfo, TableInfo

__all__ = [
    "BUILTIN_DIRECTORY",
    "HEADER_FIELDS",
    "INPUT_FIELDS",
    "ITEM_FIELDS",
    "SAMPLING_PATH",
    "RiskAssessment",
    "RiskEngine",
    "RiskHit",
    "RowInfo",
    "Ruleset",
    "TableInfo",
    "content_version",
    "load_ruleset",
    "load_rulesets",
    "parse_ruleset",
    "risk_contexts",
    "uniform",
]
