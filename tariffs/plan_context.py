"""The lookup context of one plan: what every step of the rate selection reads and writes.

:class:`PlanContext` holds the schedule, regime, item, date and origin a plan is built for, the
plan and the findings, notes and alternatives gathered so far, and the helpers the steps share:
compile a measure into a :class:`~tariffs.plans.Candidate`, check its conditions against the
documents presented, and name documents and measure types in words. It sits below both
:mod:`tariffs.selection` (which composes the steps) and :mod:`tariffs.rate_columns` (steps 1–5),
so that neither imports the other for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from tariffs.expressions import DutyExpression, compile_expression
from tariffs.measures import ConditionAction, Measure, MeasureCondition, Role
from tariffs.plans import Candidate, Plan
from tariffs.preference import proof_serves
from tariffs.regimes import RegimeProfile
from tariffs.requests import ItemRequest
from tariffs.results import ConditionFinding
from tariffs.schedule import Schedule


class PlanContext:
    """The state one plan is built from and into, with the helpers the selection steps share."""

    def __init__(
        self,
        schedule: Schedule,
        regime: RegimeProfile,
        item: ItemRequest,
        as_of: date,
        country: str,
        exhausted: frozenset[str],
    ) -> None:
        self.s = schedule
        self.r = regime
        self.item = item
        self.as_of = as_of
        self.country = country
        self.exhausted = exhausted
        self.plan = Plan()
        self.findings: list[ConditionFinding] = []
        self.notes: list[str] = []
        self.others: list[tuple[Candidate, str, tuple[str, ...]]] = []

    def candidate(
        self, m: Measure, expression: DutyExpression | None = None, note: str = ""
    ) -> Candidate:
        """Measure ``m`` compiled for this date, with its label."""
        expr = expression or m.duty
        assert expr is not None  # the loader requires a duty on every money measure
        foreign = expr.currencies - {self.s.currency}
        key = ("evaluator", id(expr), self.s.epoch(self.as_of) if foreign else None)
        ev = self.s.plan_cache.get(key)
        if ev is None:
            ev = compile_expression(expr, self.s.currency, self._fx)
            self.s.plan_cache[key] = ev
            self.s.plan_cache[("expression", id(expr))] = expr  # keep id(expr) unique
        role = self.s.measure_types[m.type].role
        tax = "customs_duty" if role is Role.RATE_COLUMN else m.type
        if m.quota and not note:
            note = f" (quota {m.quota})"
        label = f"{self.type_name(m)} {expr.words}{note}"
        return Candidate(m, expr, ev, label, tax)

    def _fx(self, currency: str) -> Decimal:
        return self.s.rates.lookup(currency, self.as_of, self.r.exchange_rate.rule).rate

    def type_name(self, m: Measure) -> str:
        """The measure type name, prefixed with the agreement for agreement rates."""
        name = self.s.measure_types[m.type].name_en
        group = self.s.groups.get(m.geo)
        if group is not None and group.is_agreement:
            return f"{group.id} {name}"
        return name

    def conditions(self, m: Measure) -> tuple[MeasureCondition, ...]:
        """Explicit conditions, or the implicit proof of an agreement / quota document."""
        if m.conditions:
            return m.conditions
        group = self.s.groups.get(m.geo)
        if group is not None and group.is_agreement and group.proof_documents:
            return (MeasureCondition(group.proof_documents, ConditionAction.OTHER_RATE),)
        quota = self.s.quotas.get(m.quota) if m.quota else None
        if quota is not None and quota.documents:
            return (MeasureCondition(quota.documents, ConditionAction.OTHER_RATE),)
        return ()

    def presented(self, m: Measure, cond: MeasureCondition) -> bool:
        """True if a document satisfies ``cond`` for ``m``.

        For an agreement's rate the document must also serve the item's claim
        (:func:`tariffs.preference.proof_serves`, the rule the certificate controls share): it
        counts only for the agreement the item claims, and only when it names that agreement
        or none. An item claiming no agreement gets no agreement rate, whatever it presents.
        """
        group = self.s.groups.get(m.geo)
        agreement = group.id if group is not None and group.is_agreement else None
        claim = self.item.preference
        for code, doc_agreement in self.item.document_key():
            if code not in cond.documents:
                continue
            if agreement is None or proof_serves(claim, doc_agreement, agreement):
                return True
        return False

    def unclaimed(self, m: Measure) -> str | None:
        """The agreement of ``m`` when the item does not claim it (why its proof cannot count)."""
        group = self.s.groups.get(m.geo)
        if group is None or not group.is_agreement or self.item.preference == group.id:
            return None
        return group.id

    def check(self, m: Measure) -> tuple[Candidate | None, tuple[str, ...]]:
        """(the candidate to charge or None, documents missing) after the conditions."""
        expression: DutyExpression | None = m.duty
        note = ""
        for cond in self.conditions(m):
            if self.presented(m, cond):
                continue
            if cond.action is ConditionAction.OTHER_RATE:
                if cond.duty_if_missing is None:
                    return None, cond.documents
                expression, note = cond.duty_if_missing, f" (without {self.docs(cond.documents)})"
            else:
                self.findings.append(
                    ConditionFinding(
                        m.id,
                        m.type,
                        cond.action.value,
                        cond.documents,
                        f"{self.type_name(m)} needs {self.docs(cond.documents)}",
                    )
                )
        if expression is None:
            return None, ()
        return self.candidate(m, expression, note), ()

    def docs(self, codes: Sequence[str]) -> str:
        """Document codes in words: "proof of origin (Y)"."""
        names = [self.s.documents.get(c) for c in codes]
        words = [f"{n} ({c})" if n else f"document {c}" for c, n in zip(codes, names, strict=True)]
        return " or ".join(words)
