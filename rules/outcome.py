"""Lanes, decisions and the reasons behind them (shared by risk, decide and explain)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rules.findings import Evidence


class Lane(StrEnum):
    """Selectivity lanes, in increasing order of control."""

    GREEN = "green"  # release
    BLUE = "blue"  # release, post-clearance audit
    YELLOW = "yellow"  # documentary check
    RED = "red"  # physical examination

    @property
    def rank(self) -> int:
        """0 for green up to 3 for red."""
        return _LANE_RANK[self]

    @property
    def zh(self) -> str:
        """The lane's Chinese name."""
        return _LANE_ZH[self]


_LANE_ORDER = tuple(Lane)
_LANE_RANK = {lane: rank for rank, lane in enumerate(_LANE_ORDER)}
_LANE_ZH = {
    Lane.GREEN: "绿色通道",
    Lane.BLUE: "蓝色通道",
    Lane.YELLOW: "黄色通道",
    Lane.RED: "红色通道",
}


def max_lane(lanes: list[Lane] | tuple[Lane, ...]) -> Lane:
    """The most controlling lane of ``lanes`` (green when empty)."""
    return max(lanes, key=_LANE_RANK.__getitem__, default=Lane.GREEN)


class DecisionKind(StrEnum):
    """What happens to the declaration, in decreasing precedence."""

    REJECT = "reject"
    INSPECT = "inspect"
    DOCUMENTS_REQUIRED = "documents_required"
    RELEASE = "release"

    @property
    def zh(self) -> str:
        """The decision's Chinese name."""
        return _DECISION_ZH[self]


_DECISION_ZH = {
    DecisionKind.REJECT: "退单",
    DecisionKind.INSPECT: "查验",
    DecisionKind.DOCUMENTS_REQUIRED: "单证审核",
    DecisionKind.RELEASE: "放行",
}


class ReasonSource(StrEnum):
    """Where a reason comes from."""

    CONTROL = "control"  # a control rule's finding
    RISK = "risk"  # a risk-profile row of the ruleset
    SAMPLE = "sample"  # the per-office random sample


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: which rule, how it weighs, in words, with the values."""

    source: ReasonSource
    rule_id: str
    rule_version: str
    weight: str  # a finding's severity, or the lane a risk row / sample asks for
    message_en: str
    message_zh: str
    evidence: Evidence
    item_sequence: int | None = None

    @property
    def label(self) -> str:
        """``RULE@version`` as stored in ``fired_rules``."""
        return f"{self.rule_id}@{self.rule_version}"


@dataclass(frozen=True, slots=True)
class Decision:
    """Lane and decision of one declaration, reproducible from its recorded inputs."""

    declaration_number: str
    lane: Lane
    decision: DecisionKind
    auto_release: bool  # green and clean: released without an officer
    reasons: tuple[Reason, ...]
    ruleset_id: str
    ruleset_version: str
    fired_rules: tuple[str, ...]
    inputs_digest: str
