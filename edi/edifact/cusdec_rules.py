"""A profile's generic :class:`~edi.edifact.profile.FieldRule` s, applied segment by segment.

The tables of a profile cover the common CUSDEC shape; rules cover what another guide does:
the commodity code in an item-level ``RFF+HS``, the customs value in ``SG30/SG33 MOA+40`` with
no currency (the guide's default), a declaration type in BGM C002 1000 translated through a
code list. A rule fills its field after the table handlers, so it can also correct what they
read (a 9-digit national tariff code cut to its 8-digit line by ``extract``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from edi.edifact.cusdec_state import (
    MappingState,
    country,
    current_item,
    date_value,
    decimal_value,
)
from edi.edifact.mapping_issues import IssueCode, MappingIssue
from edi.edifact.profile import FieldRule
from edi.edifact.segments import Segment

GroupPath = tuple[tuple[str, int], ...]


def apply_rules(
    state: MappingState, seg: Segment, rules: Sequence[FieldRule], path: GroupPath | None
) -> None:
    """Apply every rule for ``seg`` whose scope, group and qualifiers match."""
    for rule in rules:
        target = _target(state, rule)
        if target is None or not _in_group(rule, path) or not _qualified(rule, seg):
            continue
        element, raw = _read(seg, rule.value)
        if not raw:
            if rule.default is None:
                continue  # an absent conditional value stays absent
            raw = rule.default
        value = _convert(state, rule, seg, element, raw)
        if value is not None:
            _put(state, target, rule, value, seg, element)


def _target(state: MappingState, rule: FieldRule) -> dict[str, Any] | None:
    if rule.scope == "header":
        return state.header if state.section == "header" else None
    return current_item(state)


def _in_group(rule: FieldRule, path: GroupPath | None) -> bool:
    if rule.group is None:
        return True
    if path is None:
        return False
    wanted = rule.group.split("/")
    names = [name for name, _ in path]
    return names[-len(wanted) :] == wanted


def _qualified(rule: FieldRule, seg: Segment) -> bool:
    return all(_read(seg, position)[1] == expected for position, expected in rule.when.items())


def _read(seg: Segment, position: str) -> tuple[int, str]:
    element_text, component = position.split(".")
    element = int(element_text)
    if component == "*":  # a repeated text element: its lines joined
        return element, " ".join(c for c in seg.components(element) if c)
    return element, seg.get(element, int(component))


def _convert(state: MappingState, rule: FieldRule, seg: Segment, element: int, raw: str) -> Any:
    if rule.extract is not None:
        found = re.search(rule.extract, raw)
        if found is None:
            text = f"{seg.tag}: {raw!r} does not have the shape {rule.extract!r} of {rule.field}"
            state.issues.append(MappingIssue.at(text, seg, element, IssueCode.FORMAT))
            return None
        raw = found.group(1)
    if rule.map:
        if raw not in rule.map:
            known = ", ".join(sorted(rule.map))
            text = f"{seg.tag}: code {raw!r} for {rule.field} is not one of {known}"
            state.issues.append(MappingIssue.at(text, seg, element, IssueCode.CODE))
            return None
        raw = rule.map[raw]
    kind = rule.kind
    if kind == "country":
        return country(state, raw)
    if kind == "date":
        fmt = _read(seg, rule.date_format)[1] if "." in rule.date_format else rule.date_format
        return date_value(state, raw, fmt, seg)
    if kind == "int":
        if not raw.isdigit():
            text = f"{seg.tag}: {raw!r} is not a whole number"
            state.issues.append(MappingIssue.at(text, seg, element, IssueCode.NUMBER))
            return None
        return int(raw)
    if kind in {"amount", "quantity"}:
        return _measured(state, rule, seg, element, raw)
    return raw


def _measured(
    state: MappingState, rule: FieldRule, seg: Segment, element: int, raw: str
) -> dict[str, Any] | None:
    number = decimal_value(state, raw, seg, element)
    if number is None:
        return None
    if rule.kind == "amount":
        currency = (_read(seg, rule.currency)[1] if rule.currency else "") or rule.currency_default
        currency = currency or state.header.get("invoice_currency")
        return {"value": number, "currency": currency}
    unit = _read(seg, rule.unit)[1] if rule.unit else ""
    return {"value": number, "unit": rule.unit_map.get(unit, unit) or None}


def _put(
    state: MappingState,
    target: dict[str, Any],
    rule: FieldRule,
    value: Any,
    seg: Segment,
    element: int,
) -> None:
    if rule.kind == "transport":
        target.setdefault("transport", {})["transport_document"] = value
        state.note(("transport",), seg, element)
        return
    state.put(target, rule.field, value, seg, element)
    state.failed.discard(_path(state, target, rule.field))


def _path(state: MappingState, target: dict[str, Any], key: str) -> tuple[str | int, ...]:
    if target is state.header:
        return (key,)
    index = next(n for n, item in enumerate(state.items) if item is target)
    return ("items", index, key)
