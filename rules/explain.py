"""``explain``: a decision told in plain words, in Chinese and English.

Which rules decided, with which values, under which ruleset: enough for an officer to see why a
declaration is where it is, and for a trader to be told what to fix.
"""

from __future__ import annotations

from rules.findings import Evidence, EvidenceValue
from rules.outcome import Decision, Reason, ReasonSource

_SOURCE = {
    ReasonSource.CONTROL: ("control rule", "管控规则"),
    ReasonSource.RISK: ("risk profile", "风险参数"),
    ReasonSource.SAMPLE: ("random sample", "随机抽查"),
}
_CONTROL_KEYS = ("rate", "draw", "items")


def explain(decision: Decision) -> str:
    """The decision, its lane, ruleset, release status and every reason with its values."""
    d = decision
    lines = [
        f"Declaration {d.declaration_number}: {d.decision.value.replace('_', ' ')}"
        f" ({d.lane.value} lane)",
        f"报关单 {d.declaration_number}：{d.decision.zh}（{d.lane.zh}）",
        f"Ruleset {d.ruleset_id}, version {d.ruleset_version[:12]} /"
        f" 规则集 {d.ruleset_id}，版本 {d.ruleset_version[:12]}",
        _status(d),
        "Reasons / 原因:" if d.reasons else "No reasons recorded / 无记录原因",
    ]
    for number, reason in enumerate(d.reasons, start=1):
        lines.extend(_reason(number, reason))
    lines.append(f"Inputs digest / 输入摘要: sha256:{d.inputs_digest}")
    return "\n".join(lines)


def _status(decision: Decision) -> str:
    if decision.auto_release:
        return "Released automatically: clean and in an auto-release lane. / 自动放行。"
    return "Waits for an officer. / 等待关员处理。"


def _reason(number: int, reason: Reason) -> list[str]:
    kind_en, kind_zh = _SOURCE[reason.source]
    version = f" v{reason.rule_version}" if reason.source is ReasonSource.CONTROL else ""
    where = "" if reason.item_sequence is None else f", item {reason.item_sequence}"
    where_zh = "" if reason.item_sequence is None else f"，第{reason.item_sequence}项"
    head = f"{number:>2}. {reason.rule_id}{version} ({kind_en}, {reason.weight}{where}):"
    lines = [
        f"{head} {reason.message_en}",
        f"    {kind_zh}{where_zh}：{reason.message_zh}",
    ]
    values = _values(reason.evidence)
    if values:
        lines.append(f"    values / 比对值: {values}")
    if reason.source is not ReasonSource.CONTROL:
        lines.append(f"    {_selection(reason.evidence)}")
    return lines


def _values(evidence: Evidence) -> str:
    parts = []
    for key, value in evidence.items():
        if key.endswith("~") or key in _CONTROL_KEYS:
            continue
        expression = evidence.get(f"{key}~")
        shown = _show(value)
        parts.append(f"{key} = {shown}" + ("" if expression is None else f" (row: {expression})"))
    return "; ".join(parts)


def _selection(evidence: Evidence) -> str:
    rate, draw, items = evidence.get("rate"), evidence.get("draw"), evidence.get("items")
    scope = f"items {_show(items)}; " if items else ""
    if draw is None:
        return f"{scope}rate {rate}: always applies / 必然适用"
    chosen = float(str(draw)) < float(str(rate))
    sign, word = ("<", "selected / 抽中") if chosen else ("≥", "not selected / 未抽中")
    return f"{scope}draw {draw} {sign} rate {rate}: {word}"


def _show(value: EvidenceValue) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    return "—" if value is None else str(value)
