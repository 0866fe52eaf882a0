"""Controls, risk and decision for one context, with the findings of earlier steps merged in.

``rules.check`` decides on the controls' own findings; in the pipeline the tariff step (TAR-…)
and the manifest step (MAN-…) have findings too, so this runs the same parts of ``rules`` and
decides on all of them. Pure: the same context, earlier findings, ruleset and seed always give
the same :class:`Evaluation`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from clearance.decisions.json_text import text_encoder
from rules import (
    ControlContext,
    Decision,
    Draw,
    Finding,
    RiskEngine,
    decide,
    inputs_digest,
    run_controls,
    usable_draws,
)
from rules.risk import RiskAssessment

#: ``json.dumps(…, sort_keys=True, ensure_ascii=False)``, its C encoder built once (json_text).
_SORTED = text_encoder(sort_keys=True)

#: The ruleset every automatic decision uses (``rules/rulesets/cn-default.json``).
DEFAULT_RULESET = "cn-default"


@lru_cache(maxsize=1)
def builtin_engine() -> RiskEngine:
    """The risk engine over the shipped rulesets (loaded once per process)."""
    return RiskEngine.builtin()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """All findings (earlier steps first), the risk assessment, the decision, the draws."""

    findings: tuple[Finding, ...]
    risk: RiskAssessment
    decision: Decision
    draws: tuple[Draw, ...]


def evaluate(
    context: ControlContext,
    prior: Sequence[Finding],
    engine: RiskEngine,
    ruleset: str,
    seed: str,
    canonical: str | None = None,
) -> Evaluation:
    """Run the controls and the risk ruleset and decide on every finding.

    ``canonical``: the declaration's canonical JSON if already written (see
    :func:`rules.inputs_digest`); the same digest either way.
    """
    controls = run_controls(context)
    findings = (*prior, *controls)
    risk = engine.assess(context, ruleset, seed)
    rules_digest = inputs_digest(context, risk.ruleset_version, seed, canonical)
    digest = combined_digest(rules_digest, prior)
    decision = decide(context.declaration_number, findings, risk, digest)
    return Evaluation(findings, risk, decision, usable_draws(context, findings))


def combined_digest(rules_digest: str, prior: Sequence[Finding]) -> str:
    """sha256 over the rules' inputs digest and the earlier steps' findings (canonical JSON)."""
    # Without earlier findings (most declarations) the text is the empty list's, "[]".
    text = _SORTED([f.as_json() for f in prior]) if prior else "[]"
    return hashlib.sha256(f"{rules_digest}\x1e{text}".encode()).hexdigest()
