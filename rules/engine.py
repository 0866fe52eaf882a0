"""One call for the pipeline: controls, risk and decision for a declaration.

``check`` is pure: the same :class:`ControlContext`, ruleset version and seed always give the same
:class:`Outcome`. ``inputs_digest`` is a sha256 over everything that went in (declaration, date,
registry digest, balances, required documents, CNY values, policy, ruleset version, seed), so a
stored decision can be shown to have been computed from the inputs it claims.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rules.claims import Draw, declaration_draws
from rules.context import ControlContext, ControlPolicy
from rules.controls import run_controls
from rules.decide import DecisionPolicy, decide
from rules.findings import Finding, Severity
from rules.outcome import Decision
from rules.risk import RiskAssessment, RiskEngine


@dataclass(frozen=True, slots=True)
class Outcome:
    """Findings, risk assessment, decision, and the ledger draws to reserve on acceptance.

    ``draws`` leaves out licences and certificates that a ``documents``-or-worse finding names.
    """

    findings: tuple[Finding, ...]
    risk: RiskAssessment
    decision: Decision
    draws: tuple[Draw, ...]


def check(
    context: ControlContext,
    risk_engine: RiskEngine,
    ruleset: str,
    seed: str,
    policy: DecisionPolicy | None = None,
) -> Outcome:
    """Run every control and the risk ruleset on ``context`` and decide."""
    findings = run_controls(context)
    risk = risk_engine.assess(context, ruleset, seed)
    digest = inputs_digest(context, risk.ruleset_version, seed)
    decision = decide(context.declaration_number, findings, risk, digest, policy)
    return Outcome(findings, risk, decision, usable_draws(context, findings))


def usable_draws(context: ControlContext, findings: tuple[Finding, ...]) -> tuple[Draw, ...]:
    """The declaration's draws, without licences or certificates a finding holds or refuses.

    A licence or certificate named (``licence`` / ``certificate`` in the evidence) by a finding of
    severity ``documents`` or above is not drawn on: the trader must fix or prove it first.
    """
    draws = declaration_draws(context)
    if not draws:  # most declarations draw on nothing: no finding to search
        return ()
    blocked = {
        str(f.evidence.get(key))
        for f in findings
        if f.severity.rank >= Severity.DOCUMENTS.rank
        for key in ("licence", "certificate")
        if f.evidence.get(key) is not None
    }
    return tuple(d for d in draws if d.document not in blocked)


#: ``json.dumps(…, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, the encoder
#: built once: json.dumps builds one per call when given options, a fixed cost per declaration.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
#: The string escaping that encoder uses (ensure_ascii=False): the C function when there is one.
_string: Callable[[str], str] = json.encoder.encode_basestring


@lru_cache(maxsize=64)
def _policy_text(policy: ControlPolicy) -> str:
    # A frozen dataclass: its repr lists every field. Remembered per policy (equal policies,
    # equal text): a regime's policy is the same for every declaration it governs.
    return repr(policy)


@lru_cache(maxsize=64)
def _policy_string(policy: ControlPolicy) -> str:
    return _string(_policy_text(policy))


def _payload(context: ControlContext, ruleset_version: str, seed: str) -> dict[str, object]:
    """What the inputs digest hashes besides the declaration; its text is the canonical JSON
    of this (:data:`_CANONICAL`), written by :func:`_payload_text`."""
    return {
        "declaration_number": context.declaration_number,
        "as_of": context.as_of.isoformat(),
        "registries": context.registries.digest,
        "balances": _balances(context),
        "required_documents": required_documents_json(context),
        "values_cny": values_cny_json(context),
        "policy": _policy_text(context.policy),
        "ruleset_version": ruleset_version,
        "seed": seed,
    }


def _balances(context: ControlContext) -> dict[str, list[object]]:
    return {
        key: [
            str(b.totals.held),
            b.totals.held_uses,
            str(b.allowance.quantity),
            b.allowance.max_uses,
        ]
        for key, b in sorted(context.balances.items())
    }


def _payload_text(context: ControlContext, ruleset_version: str, seed: str) -> str:
    """``_CANONICAL.encode(_payload(…))``, written directly: the keys in their sorted order,
    each text through the encoder's own string escaping; the encoder builds itself anew and
    sorts every dict on each call (about 6 µs for this small payload, once per declaration).
    Balances and required documents, empty for most declarations, go through the encoder when
    there are any."""
    required = required_documents_json(context)
    balances = _CANONICAL.encode(_balances(context)) if context.balances else "{}"
    return (
        f'{{"as_of":{_string(context.as_of.isoformat())},"balances":{balances},'
        f'"declaration_number":{_string(context.declaration_number)},'
        f'"policy":{_policy_string(context.policy)},'
        f'"registries":{_string(context.registries.digest)},'
        f'"required_documents":{_CANONICAL.encode(required) if required else "{}"},'
        f'"ruleset_version":{_string(ruleset_version)},"seed":{_string(seed)},'
        f'"values_cny":{_values_text(context)}}}'
    )


def _values_text(context: ControlContext) -> str:
    # The keys sorted as text, as the encoder sorts them ("10" before "2").
    values = sorted(values_cny_json(context).items())
    return "{" + ",".join([f"{_string(k)}:{_string(v)}" for k, v in values]) + "}"


def required_documents_json(context: ControlContext) -> dict[str, list[list[object]]]:
    """The context's required documents as JSON (item number as text → [codes, action,
    measure] each), in item order: in the inputs digest and in the stored inputs alike.

    Worked out once per context (the step asks twice); the caller must not change it.
    """
    return context.memo("json.required_documents", lambda: _required_json(context))


def _required_json(context: ControlContext) -> dict[str, list[list[object]]]:
    return {
        str(seq): [[list(r.codes), r.action.value, r.measure] for r in reqs]
        for seq, reqs in sorted(context.required_documents.items())
    }


def values_cny_json(context: ControlContext) -> dict[str, str]:
    """The context's CNY values as JSON (item number → amount, both as text), in item order:
    in the inputs digest and in the stored inputs alike.

    Worked out once per context (the step asks twice); the caller must not change it.
    """
    return context.memo(
        "json.values_cny",
        lambda: {str(k): str(v) for k, v in sorted(context.values_cny.items())},
    )


def inputs_digest(
    context: ControlContext, ruleset_version: str, seed: str, canonical: str | None = None
) -> str:
    """sha256 over the declaration's canonical JSON, then everything else the decision used.

    ``canonical`` is that JSON (``context.declaration.model_dump_json()``) when the caller has
    it already: the pipeline's registration wrote it a moment before.
    """
    text = _payload_text(context, ruleset_version, seed)
    if canonical is None:
        canonical = context.declaration.model_dump_json()
    digest = hashlib.sha256(canonical.encode())
    digest.update(b"\x1e")
    digest.update(text.encode())
    return digest.hexdigest()
