"""Controls, risk profiles and decisions: a declaration and its context in, findings and a lane out.

Pure: no database, no clock. The pipeline passes the declaration, the date (``as_of``), registry
and ledger snapshots and the required documents, and gets back findings, a risk assessment, a
decision and the ledger draws to reserve. See ``docs/rules.md`` and ``docs/risk-rulesets.md``.
"""

from rules.claims import Draw, declaration_draws
from rules.context import ControlContext, ControlPolicy, MissingAction, RequiredDocument
from rules.controls import ALL_RULES, run_controls
from rules.decide import DecisionPolicy, decide
from rules.engine import Outcome, check, inputs_digest, usable_draws
from rules.explain import explain
from rules.findings import Finding, Rule, Severity
from rules.outcome import Decision, DecisionKind, Lane, Reason, ReasonSource
from rules.risk import RiskAssessment, RiskEngine

__all__ = [
    "ALL_RULES",
    "ControlContext",
    "ControlPolicy",
    "Decision",
    "DecisionKind",
    "DecisionPolicy",
    "Draw",
    "Finding",
    "Lane",
    "MissingAction",
    "Outcome",
    "Reason",
    "ReasonSource",
    "RequiredDocument",
    "RiskAssessment",
    "RiskEngine",
    "Rule",
    "Severity",
    "check",
    "decide",
    "declaration_draws",
    "explain",
    "inputs_digest",
    "run_controls",
    "usable_draws",
]
