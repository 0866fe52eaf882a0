"""Rate selection: from the measures in force to an item *plan* (what to charge and why).

A plan depends only on (regime, schedule, code, origin, date, documents, preference, additional
codes, exhausted quotas) — not on value or quantity — so it is built once and memoised on the
schedule; :mod:`tariffs.assessment` then only does the arithmetic per item. The selection follows
the regime's ``rate_selection`` (see docs/duties.md):

1. *base*: the first of ``base`` types that applies to the origin (China: MFN, else general);
2. *quota*: in quota (documents presented, quota not exhausted) → the in-quota rate; outside,
   an out-of-quota rate replaces the base;
3. *overrides*: e.g. a provisional rate replaces the MFN rate (never the general rate);
4. *preferences*: agreement / special preferential rates whose proof is presented are eligible;
   ``preference_vs_base = lower`` makes the lower of them and the base apply;
5. the *contenders* are evaluated per item and the lowest wins (ties: the earlier, i.e. the base).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from tariffs.errors import ExchangeRateError
from tariffs.expressions import DutyExpression, compile_expression
from tariffs.measures import ERGA_OMNES, ConditionAction, Measure, MeasureCondition, Role
from tariffs.plans import Candidate, Plan
from tariffs.rate_columns import RateChooser
from tariffs.regimes import RegimeProfile
from tariffs.requests import ItemRequest
from tariffs.results import ConditionFinding
from tariffs.schedule import Schedule

_CACHE_LIMIT = 250_000


def plan_key(item: ItemRequest, export: bool) -> tuple[object, ...]:
    """The key of ``item``'s plan in its declaration's plan table.

    (The assessment loop builds the same tuple inline to save a call per item.)
    """
    country = (item.destination or item.origin) if export else item.origin
    return (item.code, country, item.preference, item.document_key(), item.additional_codes)


def plan_table(
    schedule: Schedule, regime: RegimeProfile, export: bool, as_of: date, exhausted: frozenset[str]
) -> dict[tuple[object, ...], Plan]:
    """The memo of plans shared by every item of a declaration (one lookup per declaration).

    Keyed on the validity period (``schedule.epoch(as_of)``), not the day: plans are the same
    for every date of a period.
    """
    shared = ("plans", id(regime), export, schedule.epoch(as_of), exhausted)
    cache = schedule.plan_cache
    table = cache.get(shared)
    if table is None:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        # Holding the regime in the cache keeps its id() from being reused by another object.
        cache[("regime", id(regime))] = regime
        table = cache[shared] = {}
    assert isinstance(table, dict)
    return table


def plan_for(
    schedule: Schedule,
    regime: RegimeProfile,
    item: ItemRequest,
    as_of: date,
    export: bool,
    exhausted: frozenset[str],
    table: dict[tuple[object, ...], Plan] | None = None,
    key: tuple[object, ...] | None = None,
) -> Plan:
    """The (memoised) plan for ``item`` on ``as_of``."""
    if table is None:
        table = plan_table(schedule, regime, export, as_of, exhausted)
    if key is None:
        key = plan_key(item, export)
    plan = table.get(key)
    if plan is None:
        if len(table) > _CACHE_LIMIT:
            table.clear()
        country = (item.destination or item.origin) if export else item.origin
        plan = Builder(schedule, regime, item, as_of, country, exhausted).build(export)
        table[key] = plan
    return plan


class Builder:
    """Builds one plan; a class only to share the lookup context between small steps."""

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

    # -- entry ----------------------------------------------------------------------------
    def build(self, export: bool) -> Plan:
        """Build the plan (problems instead of exceptions for business outcomes)."""
        problem = self.s.declarable_problem(self.item.code, self.as_of)
        if problem is not None:
            self.plan.problems = (problem,)
            return self.plan
        measures = self.s.measures_in_force(self.item.code, self.country, self.as_of)
        by_role: dict[Role, list[Measure]] = {}
        for m in measures:
            by_role.setdefault(self.s.measure_types[m.type].role, []).append(m)
        try:
            self._controls(by_role.get(Role.CONTROL, []))
            if export:
                self._export(by_role)
            else:
                self._import(by_role)
        except ExchangeRateError as exc:  # a specific duty in a currency without a rate
            self.plan.problems = (f"{exc.message.split(' valid on ')[0]} on the declaration date",)
        self.plan.conditions = tuple(self.findings)
        self.plan.notes = tuple(self.notes)
        self.plan.others = tuple(self.others)
        return self.plan.seal(self.s.currency)

    # -- helpers --------------------------------------------------------------------------
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

        For an agreement's rate, a document naming an agreement counts for that one only; a
        document naming none counts for the agreement claimed, or for any when none is claimed.
        """
        group = self.s.groups.get(m.geo)
        agreement = group.id if group is not None and group.is_agreement else None
        claim = self.item.preference
        for code, doc_agreement in self.item.document_key():
            if code not in cond.documents:
                continue
            if agreement is None or doc_agreement == agreement:
                return True
            if not doc_agreement and claim in (None, agreement):
                return True
        return False

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

    # -- controls, additional duties, taxes -----------------------------------------------
    def _controls(self, measures: list[Measure]) -> None:
        for m in measures:
            for cond in self.conditions(m):
                if not self.presented(m, cond):
                    self.findings.append(
                        ConditionFinding(
                            m.id,
                            m.type,
                            cond.action.value,
                            cond.documents,
                            f"{self.type_name(m)}: {self.docs(cond.documents)} missing",
                        )
                    )

    def _additional(self, measures: list[Measure]) -> tuple[Candidate, ...]:
        """Per type, the measures for the item's additional codes, else the residual ones."""
        by_type: dict[str, list[Measure]] = {}
        for m in measures:
            by_type.setdefault(m.type, []).append(m)
        out: list[Candidate] = []
        for ms in by_type.values():
            specific = [m for m in ms if m.additional_code in self.item.additional_codes]
            for m in specific or [m for m in ms if m.additional_code is None]:
                cand, _missing = self.check(m)
                if cand is not None:
                    out.append(cand)
        return tuple(out)

    def _first(self, measures: list[Measure] | None) -> Candidate | None:
        """The measure for the most specific geography (a country before a group before all)."""
        if not measures:
            return None
        ranked = sorted(measures, key=lambda m: (m.geo != self.country, m.geo == ERGA_OMNES))
        cand, _ = self.check(ranked[0])
        return cand

    def _export(self, by_role: dict[Role, list[Measure]]) -> None:
        self.plan.rebate = self._first(by_role.get(Role.EXPORT_REBATE))
        duties = by_role.get(Role.EXPORT_DUTY, [])
        chosen: Candidate | None = None
        for t in self.r.rate_selection.export_duty:
            for m in duties:
                if m.type != t:
                    continue
                cand, _ = self.check(m)
                if cand is None:
                    continue
                if chosen is None:
                    chosen = cand
                else:
                    self.others.append((cand, f"is replaced by the {chosen.label}", ()))
        if chosen is not None:
            self.plan.contenders = (chosen,)
            self.plan.chosen = (chosen.chosen(f"{chosen.label} applies to this code"),)
            self.plan.loser_why = ("",)

    def _import(self, by_role: dict[Role, list[Measure]]) -> None:
        self.plan.additional = self._additional(by_role.get(Role.ADDITIONAL_DUTY, []))
        self.plan.consumption = self._first(by_role.get(Role.CONSUMPTION_TAX))
        self.plan.vat = self._first(by_role.get(Role.VAT))
        RateChooser(self, by_role.get(Role.RATE_COLUMN, [])).choose()
