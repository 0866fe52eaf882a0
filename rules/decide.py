"""From findings and risk to a lane and a decision, with the reasons kept.

Precedence, highest first: **reject** (any finding of severity ``reject``) > **inspect** (red lane)
> **documents required** (yellow lane) > **audit** (blue lane: release, post-clearance audit) >
**release** (green lane). The lane is the most controlling of: the risk lane (selected risk rows and
the random sample), red for an ``inspection`` finding, yellow for a ``documents`` finding. A
``warning`` changes no lane but makes the declaration unclean. Only a clean declaration in an
auto-release lane (green by default *(policy)*) is released without an officer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.findings import Finding, Severity
from rules.outcome import Decision, DecisionKind, Lane, Reason, ReasonSource, max_lane
from rules.risk import RiskAssessment, RiskHit

_FINDING_LANE = {Severity.INSPECTION: Lane.RED, Severity.DOCUMENTS: Lane.YELLOW}
_LANE_DECISION = {
    Lane.RED: DecisionKind.INSPECT,
    Lane.YELLOW: DecisionKind.DOCUMENTS_REQUIRED,
    Lane.BLUE: DecisionKind.RELEASE,
    Lane.GREEN: DecisionKind.RELEASE,
}


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """Which lanes may release without an officer when nothing else is wrong *(policy)*."""

    auto_release_lanes: frozenset[Lane] = frozenset({Lane.GREEN})


def decide(
    declaration_number: str,
    findings: Sequence[Finding],
    risk: RiskAssessment,
    inputs_digest: str,
    policy: DecisionPolicy | None = None,
) -> Decision:
    """Combine control findings and the risk assessment into a :class:`Decision`."""
    policy = policy or DecisionPolicy()
    lane = max_lane([risk.lane, *(_FINDING_LANE.get(f.severity, Lane.GREEN) for f in findings)])
    rejected = any(f.severity is Severity.REJECT for f in findings)
    decision = DecisionKind.REJECT if rejected else _LANE_DECISION[lane]
    clean = all(f.severity is Severity.INFO for f in findings)
    auto = clean and decision is DecisionKind.RELEASE and lane in policy.auto_release_lanes
    reasons = _reasons(findings, risk)
    fired = [f"{f.rule_id}@{f.rule_version}" for f in findings]
    fired += [f"{h.rule}@{risk.ruleset_version}" for h in (*risk.hits, risk.sample)]
    return Decision(
        declaration_number=declaration_number,
        lane=lane,
        decision=decision,
        auto_release=auto,
        reasons=reasons,
        ruleset_id=risk.ruleset_id,
        ruleset_version=risk.ruleset_version,
        fired_rules=tuple(dict.fromkeys(fired)),
        inputs_digest=inputs_digest,
    )


def _reasons(findings: Sequence[Finding], risk: RiskAssessment) -> tuple[Reason, ...]:
    """Findings by severity, then selected risk hits by lane, then the sample draw."""
    # Most declarations have no finding and one to three hits: nothing to sort then.
    ordered = sorted(findings, key=lambda f: -f.severity.rank) if findings else ()
    reasons = [
        Reason(
            ReasonSource.CONTROL,
            f.rule_id,
            str(f.rule_version),
            f.severity.value,
            f.message_en,
            f.message_zh,
            f.evidence,
            f.item_sequence,
        )
        for f in ordered
    ]
    hits = [h for h in risk.hits if h.selected]
    if len(hits) > 1:  # sorted is stable: one hit (or none) is in its order already
        hits.sort(key=lambda h: -h.lane.rank)
    reasons += [_risk_reason(h, risk.ruleset_version, ReasonSource.RISK) for h in hits]
    reasons.append(_risk_reason(risk.sample, risk.ruleset_version, ReasonSource.SAMPLE))
    return tuple(reasons)


def _risk_reason(hit: RiskHit, version: str, source: ReasonSource) -> Reason:
    weight = hit.lane.value if hit.selected else "not selected"
    return Reason(
        source,
        hit.rule,
        version,
        weight,
        hit.reason_en,
        hit.reason_zh,
        hit.evidence,
        hit.items[0] if len(hit.items) == 1 else None,
    )
