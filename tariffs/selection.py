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

from datetime import date

from tariffs.errors import ExchangeRateError
from tariffs.measures import ERGA_OMNES, Measure, Role
from tariffs.plan_context import PlanContext
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


class Builder(PlanContext):
    """Builds one plan: the steps over the shared :class:`PlanContext`."""

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
