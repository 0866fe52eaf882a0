"""Time travel: rebuild a stored decision's inputs, recompute it, replay a candidate ruleset.

Nothing here writes: a reassessment or a replay reads the stored declaration version, the
registry load and ruleset version the decision used and the inputs it recorded, and computes
again. Replays never touch stored decisions.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.decisions.context import context_from_inputs
from clearance.decisions.evaluate import Evaluation, evaluate
from clearance.store.control_tables import DecisionRow, RulesetRow
from clearance.store.tables import Declaration as DeclarationRow
from clearance.store.tables import DeclarationVersion
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.errors import CustomsError
from edi.model import Declaration
from rules import Decision, DecisionKind, Lane, Reason, ReasonSource, RiskEngine
from rules.risk import BUILTIN_DIRECTORY, Ruleset, load_rulesets, parse_ruleset


@dataclass(frozen=True, slots=True)
class Recomputed:
    """A stored automatic decision and the same decision computed again."""

    number: str
    stored: DecisionRow
    again: Evaluation

    @property
    def identical(self) -> bool:
        """Same lane, decision, fired rules and inputs digest."""
        d, s = self.again.decision, self.stored
        return (
            d.lane.value == s.lane
            and d.decision.value == s.decision
            and list(d.fired_rules) == json.loads(s.fired_rules)
            and d.inputs_digest == s.inputs_digest
        )


def stored_engine(session: Session, *extra: Ruleset) -> RiskEngine:
    """A risk engine over the shipped rulesets, every stored version, and ``extra``."""
    rulesets = list(load_rulesets(BUILTIN_DIRECTORY))
    for row in session.scalars(select(RulesetRow)):
        rulesets.append(parse_ruleset(row.content, f"stored:{row.version[:12]}", row.ruleset_id))
    return RiskEngine([*rulesets, *extra])


def auto_decision(session: Session, number: str, as_of: date | None = None) -> DecisionRow:
    """The automatic decision of ``number`` in force on ``as_of`` (default: the latest)."""
    query = (
        select(DecisionRow)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .where(DeclarationRow.number == number, DecisionRow.decided_by == "auto")
        .order_by(DecisionRow.id.desc())
    )
    if as_of is not None:
        query = query.where(DecisionRow.as_of <= as_of)
    row = session.scalars(query.limit(1)).first()
    if row is None:
        raise CustomsError(f"no automatic decision of declaration {number} on record")
    return row


def latest_decision(session: Session, declaration_id: int) -> DecisionRow | None:
    """The newest decision (automatic or by an officer) of a declaration, if any."""
    return session.scalars(
        select(DecisionRow)
        .where(DecisionRow.declaration_id == declaration_id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()


def decision_of(number: str, row: DecisionRow) -> Decision:
    """The :class:`rules.Decision` a stored row holds."""
    reasons = tuple(
        Reason(
            ReasonSource(r["source"]),
            r["rule_id"],
            r["rule_version"],
            r["weight"],
            r["message_en"],
            r["message_zh"],
            {k: tuple(v) if isinstance(v, list) else v for k, v in r["evidence"].items()},
            r["item_sequence"],
        )
        for r in json.loads(row.reasons)
    )
    return Decision(
        number,
        Lane(row.lane),
        DecisionKind(row.decision),
        row.auto_release,
        reasons,
        row.ruleset_id,
        row.ruleset_version,
        tuple(json.loads(row.fired_rules)),
        row.inputs_digest,
    )


def recompute(
    session: Session, number: str, row: DecisionRow, engine: RiskEngine, ruleset: str | None = None
) -> Recomputed:
    """Compute ``row`` again from its recorded inputs (with ``ruleset`` instead, if given)."""
    canonical = session.scalar(
        select(DeclarationVersion.canonical).where(
            DeclarationVersion.declaration_id == row.declaration_id,
            DeclarationVersion.version == row.declaration_version,
        )
    )
    assert canonical is not None
    declaration = Declaration.model_validate_json(canonical)
    registries = registry_store.snapshot(session, row.registry_load_id)
    inputs = json.loads(row.inputs)
    context, prior = context_from_inputs(declaration, number, row.as_of, registries, inputs)
    again = evaluate(context, prior, engine, ruleset or row.ruleset_version, row.seed)
    return Recomputed(number, row, again)


def reassess(session: Session, number: str, as_of: date) -> Recomputed:
    """The decision of ``number`` in force on ``as_of``, recomputed exactly."""
    row = auto_decision(session, number, as_of)
    return recompute(session, number, row, stored_engine(session))


def replay(session: Session, candidate: Ruleset, date_from: date, date_to: date) -> dict[str, Any]:
    """What ruleset ``candidate`` would change over the decisions of [from, to] (read-only)."""
    engine = stored_engine(session, candidate)
    latest = (
        select(func.max(DecisionRow.id))
        .where(DecisionRow.decided_by == "auto")
        .where(DecisionRow.as_of >= date_from, DecisionRow.as_of <= date_to)
        .group_by(DecisionRow.declaration_id)
    )
    rows = session.scalars(select(DecisionRow).where(DecisionRow.id.in_(latest))).all()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    changed, duty = [], Decimal(0)
    for row in sorted(rows, key=lambda r: r.id):
        number = _number(session, row.declaration_id)
        result = recompute(session, number, row, engine, candidate.version).again.decision
        before[row.lane] += 1
        after[result.lane.value] += 1
        if (result.lane.value, result.decision.value) != (row.lane, row.decision):
            payable = _payable(session, row.declaration_id)
            duty += payable if result.decision.value == "reject" else Decimal(0)
            duty -= payable if row.decision == "reject" else Decimal(0)
            changed.append(
                {
                    "number": number,
                    "before": {"lane": row.lane, "decision": row.decision},
                    "after": {"lane": result.lane.value, "decision": result.decision.value},
                }
            )
    return {
        "ruleset": {"id": candidate.id, "version": candidate.version},
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "declarations": len(rows),
        "lanes_before": dict(sorted(before.items())),
        "lanes_after": dict(sorted(after.items())),
        "duty_not_collected_difference": str(duty),
        "changed": changed,
    }


def _number(session: Session, declaration_id: int) -> str:
    number = session.scalar(
        select(DeclarationRow.number).where(DeclarationRow.id == declaration_id)
    )
    assert number is not None
    return number


def _payable(session: Session, declaration_id: int) -> Decimal:
    value = session.scalar(
        select(DeclarationAssessmentRow.total_payable)
        .where(DeclarationAssessmentRow.declaration_id == declaration_id)
        .order_by(DeclarationAssessmentRow.id.desc())
        .limit(1)
    )
    return Decimal(value or 0)
