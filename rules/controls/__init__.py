"""The control rules, one small module per family, and the function that runs them all.

Families: required documents (``DOC``), licences (``LIC``), certificates of origin (``COO``) and
data sanity (``SAN``). :data:`ALL_RULES` is the catalogue (see ``docs/rules.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from rules.context import ControlContext
from rules.controls import (
    documents,
    identifiers,
    licence_balances,
    licences,
    origin,
    origin_goods,
    prices,
    sanity,
)
from rules.findings import Finding, Rule, Severity

#: Every control rule, in the order they run (and are documented).
ALL_RULES: tuple[Rule, ...] = (
    *documents.RULES,
    *licences.RULES,
    *licence_balances.RULES,
    *origin.RULES,
    *origin_goods.RULES,
    *sanity.RULES,
    *prices.RULES,
    *identifiers.RULES,
)


def run_controls(context: ControlContext, rules: Iterable[Rule] = ALL_RULES) -> tuple[Finding, ...]:
    """Run ``rules`` on ``context``; findings in rule order, then item order.

    The regime's ``rule_severity`` (in the context's policy) turns a rule off or gives its
    findings another severity.
    """
    weights = _weights(context.policy.rule_severity)
    findings: list[Finding] = []
    for control in rules:
        weight = weights.get(control.id) if weights else None
        if weight is None:
            # The check itself, without Rule.__call__'s list: 31 rules run per declaration,
            # and most find nothing.
            findings.extend(control.check(control, context))
            continue
        if weight == "off":
            continue
        findings.extend(replace(f, severity=Severity(weight)) for f in control(context))
    return tuple(findings)


@lru_cache(maxsize=64)
def _weights(rule_severity: tuple[tuple[str, str], ...]) -> dict[str, str]:
    # Per regime's weights, not per declaration; never changed by a caller (read only here).
    return dict(rule_severity)


def rule_by_id(rule_id: str) -> Rule:
    """The catalogued rule with ``rule_id`` (``KeyError`` if none)."""
    for control in ALL_RULES:
        if control.id == rule_id:
            return control
    raise KeyError(rule_id)


__all__ = ["ALL_RULES", "rule_by_id", "run_controls"]
