"""From a registered declaration and its assessment to the inputs of ``rules.check``.

Everything a decision reads is also written down (:func:`inputs_json`) so that
``customs declarations reassess`` can rebuild the exact :class:`~rules.ControlContext`
(:func:`context_from_inputs`) and recompute the decision without consulting anything that has
changed since: balances, required documents, CNY values and the earlier findings are kept as
they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from edi.model import Declaration
from rules import ControlContext, Finding, MissingAction, RequiredDocument, Severity
from rules.context import ControlPolicy
from rules.engine import required_documents_json, values_cny_json
from rules.ledger import Allowance, Balance, Holding
from rules.registry import Registries


def required_documents(assessment: Any) -> dict[int, tuple[RequiredDocument, ...]]:
    """Per item, the measure conditions the assessment found unmet, as required documents."""
    if assessment is None:
        return {}
    out: dict[int, tuple[RequiredDocument, ...]] = {}
    for item in assessment.items:
        if not item.conditions:  # most items: no measure condition unmet
            continue
        reqs = tuple(
            RequiredDocument(tuple(c.documents), MissingAction(c.action), c.message)
            for c in item.conditions
            if c.documents and c.action in MissingAction._value2member_map_
        )
        if reqs:
            out[item.sequence] = reqs
    return out


def values_cny(assessment: Any) -> dict[int, Decimal]:
    """Per item, the customs value in CNY (only when the assessment is in CNY)."""
    if assessment is None or assessment.currency != "CNY":
        return {}
    return {
        item.sequence: item.value.customs_value
        for item in assessment.items
        if item.value is not None
    }


def build(
    declaration: Declaration,
    number: str,
    as_of: date,
    registries: Registries,
    balances: Mapping[str, Balance],
    assessment: Any,
    policy: ControlPolicy | None = None,
) -> ControlContext:
    """The control context of one registered declaration (``policy``: its regime's)."""
    return ControlContext(
        declaration=declaration,
        declaration_number=number,
        as_of=as_of,
        registries=registries,
        balances=dict(balances),
        required_documents=required_documents(assessment),
        values_cny=values_cny(assessment),
        policy=policy or ControlPolicy(),
    )


def inputs_json(context: ControlContext, prior: list[Finding]) -> dict[str, Any]:
    """What the decision was computed from, apart from the declaration and the registries."""
    return {
        "balances": {
            key: {
                "quantity": _str(b.allowance.quantity),
                "unit": b.allowance.unit,
                "tolerance": str(b.allowance.tolerance),
                "max_uses": b.allowance.max_uses,
                "totals": [
                    str(b.totals.reserved),
                    str(b.totals.consumed),
                    b.totals.reserved_uses,
                    b.totals.consumed_uses,
                ],
            }
            for key, b in sorted(context.balances.items())
        },
        # The same text the inputs digest hashed (worked out once per context).
        "required_documents": required_documents_json(context),
        "values_cny": values_cny_json(context),
        "prior_findings": [f.as_json() for f in prior],
        "policy": _policy_json(context.policy),
    }


def _policy_json(policy: ControlPolicy) -> dict[str, Any]:
    return {
        "regime": policy.regime,
        "commodity_code_digits": policy.commodity_code_digits,
        "rule_severity": [list(pair) for pair in policy.rule_severity],
    }


def _policy(data: Mapping[str, Any] | None) -> ControlPolicy:
    """The policy a decision was taken under (the default for decisions recorded before)."""
    if data is None:
        return ControlPolicy()
    return ControlPolicy(
        commodity_code_digits=data["commodity_code_digits"],
        rule_severity=tuple((str(a), str(b)) for a, b in data["rule_severity"]),
        regime=data["regime"],
    )


def context_from_inputs(
    declaration: Declaration,
    number: str,
    as_of: date,
    registries: Registries,
    inputs: Mapping[str, Any],
) -> tuple[ControlContext, list[Finding]]:
    """Rebuild the context (and the findings of earlier steps) from :func:`inputs_json`."""
    balances = {
        key: Balance(
            Allowance(
                None if b["quantity"] is None else Decimal(b["quantity"]),
                b["unit"],
                Decimal(b["tolerance"]),
                b["max_uses"],
            ),
            Holding(Decimal(b["totals"][0]), Decimal(b["totals"][1]), *b["totals"][2:]),
        )
        for key, b in inputs["balances"].items()
    }
    required = {
        int(seq): tuple(
            RequiredDocument(tuple(codes), MissingAction(action), measure)
            for codes, action, measure in reqs
        )
        for seq, reqs in inputs["required_documents"].items()
    }
    values = {int(k): Decimal(v) for k, v in inputs["values_cny"].items()}
    context = ControlContext(
        declaration=declaration,
        declaration_number=number,
        as_of=as_of,
        registries=registries,
        balances=balances,
        required_documents=required,
        values_cny=values,
        policy=_policy(inputs.get("policy")),
    )
    return context, [finding_from_json(f) for f in inputs["prior_findings"]]


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """A finding back from :meth:`Finding.as_json`."""
    evidence = {k: tuple(v) if isinstance(v, list) else v for k, v in data["evidence"].items()}
    return Finding(
        data["rule_id"],
        data["rule_version"],
        Severity(data["severity"]),
        data["message_zh"],
        data["message_en"],
        evidence,
        data["item_sequence"],
    )


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
