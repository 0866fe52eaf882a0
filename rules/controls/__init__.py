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
from rules.findings import Finding, Guard, Rule, Severity

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
    findings another severity. A run of consecutive rules with the same guard (the licence
    rules, the certificate rules after COO-001) is skipped when the guard is false: such a
    rule finds nothing without what its guard asks for.
    """
    weights = _weights(context.policy.rule_severity)
    findings: list[Finding] = []
    groups = _ALL_GROUPS if rules is ALL_RULES else _groups_of(rules)
    for guard, group in groups:
        if guard is not None and not guard(context):
            continue
        for control in group:
            weight = weights.get(control.id) if weights else None
            if weight is None:
                # The check itself, without Rule.__call__'s list: most rules find nothing.
                findings.extend(control.check(control, context))
                continue
            if weight == "off":
                continue
            findings.extend(replace(f, severity=Severity(weight)) for f in control(context))
    return tuple(findings)


#: Runs of consecutive rules and the guard they share (None: each rule runs).
_Groups = tuple[tuple[Guard | None, tuple[Rule, ...]], ...]


def _groups(rules: tuple[Rule, ...]) -> _Groups:
    """``rules`` in order, cut into runs of consecutive rules with the same guard."""
    groups: list[tuple[Guard | None, list[Rule]]] = []
    for control in rules:
        if groups and control.guard is not None and groups[-1][0] is control.guard:
            groups[-1][1].append(control)
        else:
            groups.append((control.guard, [control]))
    return tuple((guard, tuple(group)) for guard, group in groups)


#: The catalogue's runs, cut once (its guards: a licence cited, a certificate claimed).
_ALL_GROUPS = _groups(ALL_RULES)
#: Other tuples of rules cut once (a step keeps its own, e.g. the assessment's certificate
#: rules), by identity with the tuple kept, so a recycled id cannot serve another tuple.
_KNOWN: dict[int, tuple[tuple[Rule, ...], _Groups]] = {}


def _groups_of(rules: Iterable[Rule]) -> _Groups:
    if not isinstance(rules, tuple):
        return _groups(tuple(rules))
    known = _KNOWN.get(id(rules))
    if known is None or known[0] is not rules:
        if len(_KNOWN) >= 64:
            _KNOWN.clear()
        known = _KNOWN[id(rules)] = (rules, _groups(rules))
    return known[1]


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
