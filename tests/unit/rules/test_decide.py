"""Decision precedence, auto-release, fired rules and the plain-words explanation."""

from __future__ import annotations

from rules.decide import DecisionPolicy, decide
from rules.explain import explain
from rules.findings import Finding, Severity, evidence
from rules.outcome import DecisionKind, Lane, ReasonSource
from rules.risk import RiskAssessment, RiskHit

VERSION = "ab" * 32


def hit(rule: str, lane: Lane, *, selected: bool = True, rate: float = 1.0) -> RiskHit:
    draw = None if rate >= 1 else (0.01 if selected else 0.99)
    return RiskHit(
        rule,
        "Table",
        "row",
        lane,
        10,
        rate,
        draw,
        selected,
        f"{rule} en",
        f"{rule} 中",
        (1,),
        (("heading", '"0304"', "0304"),),
    )


def risk(*hits: RiskHit, sample_selected: bool = False) -> RiskAssessment:
    sample = hit("RISK-SMP-003", Lane.RED, selected=sample_selected, rate=0.04)
    chosen = [h.lane for h in (*hits, sample) if h.selected]
    lane = max(chosen, key=lambda x: x.rank, default=Lane.GREEN)
    return RiskAssessment("cn-default", VERSION, hits, sample, lane, 0)


def finding(rule_id: str, severity: Severity) -> Finding:
    return Finding(
        rule_id,
        1,
        severity,
        f"{rule_id} 中",
        f"{rule_id} en",
        evidence(licence="26-AA-310045", declared="20000"),
        1,
    )


def test_green_and_clean_releases_automatically() -> None:
    decision = decide("N1", [], risk(), "digest")
    assert (decision.lane, decision.decision, decision.auto_release) == (
        Lane.GREEN,
        DecisionKind.RELEASE,
        True,
    )
    assert decision.fired_rules == (f"RISK-SMP-003@{VERSION}",)
    assert decision.inputs_digest == "digest"
    assert decision.ruleset_version == VERSION


def test_info_findings_stay_clean_warnings_do_not() -> None:
    assert decide("N1", [finding("LIC-008", Severity.INFO)], risk(), "d").auto_release
    warned = decide("N1", [finding("SAN-005", Severity.WARNING)], risk(), "d")
    assert (warned.lane, warned.decision, warned.auto_release) == (
        Lane.GREEN,
        DecisionKind.RELEASE,
        False,
    )


def test_reject_outranks_a_red_lane() -> None:
    decision = decide("N1", [finding("LIC-003", Severity.REJECT)], risk(sample_selected=True), "d")
    assert decision.decision is DecisionKind.REJECT
    assert decision.lane is Lane.RED
    assert decision.reasons[0].rule_id == "LIC-003"


def test_inspection_finding_gives_red() -> None:
    decision = decide(
        "N1", [finding("X-1", Severity.INSPECTION)], risk(hit("R-1", Lane.YELLOW)), "d"
    )
    assert (decision.lane, decision.decision) == (Lane.RED, DecisionKind.INSPECT)


def test_documents_finding_gives_yellow_over_blue() -> None:
    decision = decide(
        "N1", [finding("COO-005", Severity.DOCUMENTS)], risk(hit("R-1", Lane.BLUE)), "d"
    )
    assert (decision.lane, decision.decision) == (Lane.YELLOW, DecisionKind.DOCUMENTS_REQUIRED)


def test_blue_releases_but_waits_unless_policy_allows() -> None:
    blue = risk(hit("RISK-VAL-002", Lane.BLUE))
    decision = decide("N1", [], blue, "d")
    assert (decision.lane, decision.decision, decision.auto_release) == (
        Lane.BLUE,
        DecisionKind.RELEASE,
        False,
    )
    policy = DecisionPolicy(auto_release_lanes=frozenset({Lane.GREEN, Lane.BLUE}))
    assert decide("N1", [], blue, "d", policy).auto_release


def test_unselected_hits_fire_but_give_no_reason() -> None:
    decision = decide("N1", [], risk(hit("RISK-COM-001", Lane.RED, selected=False, rate=0.05)), "d")
    assert decision.lane is Lane.GREEN
    assert f"RISK-COM-001@{VERSION}" in decision.fired_rules
    assert [r.source for r in decision.reasons] == [ReasonSource.SAMPLE]


def test_explain_names_rules_values_and_ruleset() -> None:
    decision = decide(
        "220120261000000001",
        [finding("LIC-008", Severity.REJECT)],
        risk(hit("RISK-COM-001", Lane.RED, rate=0.05), sample_selected=False),
        "f" * 64,
    )
    text = explain(decision)
    assert "Declaration 220120261000000001: reject (red lane)" in text
    assert "报关单 220120261000000001：退单（红色通道）" in text
    assert f"Ruleset cn-default, version {VERSION[:12]}" in text
    assert "LIC-008 v1 (control rule, reject, item 1): LIC-008 en" in text
    assert "licence = 26-AA-310045; declared = 20000" in text
    assert 'heading = 0304 (row: "0304")' in text
    assert "draw 0.010000 < rate 0.05: selected" in text
    assert "draw 0.990000 ≥ rate 0.04: not selected" in text
    assert "Waits for an officer" in text
    assert text.endswith("sha256:" + "f" * 64)


def test_reasons_list_findings_by_severity_then_hits_by_lane_then_the_sample() -> None:
    # _reasons sorts only what has more than one entry (stop 26): the order must be the one a
    # stable sort of every list gives, for none, one and several findings and hits.
    infos = [finding("SAN-001", Severity.INFO), finding("DOC-001", Severity.DOCUMENTS)]
    several = (hit("R-Y", Lane.YELLOW), hit("R-G", Lane.BLUE), hit("R-R", Lane.RED))
    for findings, hits in (
        ([], ()),
        ([], (hit("R-Y", Lane.YELLOW),)),
        (infos[:1], several),
        ([*infos, finding("LIC-001", Severity.REJECT)], several),
        ([], (*several, hit("R-Y2", Lane.YELLOW), hit("R-N", Lane.RED, selected=False, rate=0.5))),
    ):
        reasons = decide("N1", findings, risk(*hits), "digest").reasons
        by_severity = sorted(findings, key=lambda f: -f.severity.rank)
        by_lane = sorted((h for h in hits if h.selected), key=lambda h: -h.lane.rank)
        expected = [f.rule_id for f in by_severity] + [h.rule for h in by_lane] + ["RISK-SMP-003"]
        assert [r.rule_id for r in reasons] == expected
        assert reasons[-1].source is ReasonSource.SAMPLE
