"""A trader's class (A/B/C) from its indicators, the policy's rules and its current class.

A: facilitated; B: receipts and payments verified by the bank; C: every payment approved in
advance. B and C last ``class_validity_days`` (a year) from the notice: better indicators do not
lift them earlier, worse ones may raise B to C. Each B or C notice has an objection deadline of
``objection_working_days`` working days (holidays as data, :mod:`rules.working_days`).

A class the FX authority gave on a granted objection (a :class:`Ruling`) is not raised again by
indicators no stricter than the class objected to, for the term of that class: the authority
has already judged that figure (docs/fx-monitoring.md, "Objections").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from rules.fx.indicators import Indicators
from rules.fx.policy import FxPolicy
from rules.working_days import WorkingCalendar


class Grade(StrEnum):
    """The FX classes: A facilitated, B bank-verified, C every payment approved."""

    A = "A"
    B = "B"
    C = "C"

    @property
    def rank(self) -> int:
        """A < B < C: how restrictive."""
        return "ABC".index(self.value)


@dataclass(frozen=True, slots=True)
class Ruling:
    """The class in force was given on a granted objection to a stricter class."""

    objected: Grade  # the class objected to (the strictest along a chain of objections)
    until: date  # the end of the term of the class objected to


@dataclass(frozen=True, slots=True)
class CurrentClass:
    """The class in force for a trader, as the history holds it."""

    grade: Grade
    valid_from: date
    valid_until: date | None  # None: A, open-ended
    ruling: Ruling | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a stable code and a sentence with the figures."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class ClassDecision:
    """The class a trader has after this classification, and whether it is a new notice."""

    grade: Grade
    computed: Grade  # what the indicators alone give
    reasons: tuple[Reason, ...]
    changed: bool  # a new class (or a B/C renewed): a history row and a notice
    valid_from: date
    valid_until: date | None
    objection_deadline: date | None


def classify(
    indicators: Indicators,
    current: CurrentClass | None,
    as_of: date,
    policy: FxPolicy,
    calendar: WorkingCalendar,
) -> ClassDecision:
    """Classify one trader on ``as_of`` (the notice date)."""
    computed, reasons = _computed(indicators, policy)
    ruled = _ruled(current, computed, as_of, reasons)
    if ruled is not None:
        return ruled
    in_force = current is not None and (current.valid_until is None or current.valid_until > as_of)
    if current is not None and in_force and current.grade.rank > computed.rank:
        hold = Reason(
            "FX-HOLD",
            f"class {current.grade} notified {current.valid_from} holds until "
            f"{current.valid_until}; the indicators alone would give {computed}",
        )
        return _kept(current, computed, (*reasons, hold))
    if current is not None and in_force and current.grade is computed:
        return ClassDecision(
            computed, computed, reasons, False, current.valid_from, current.valid_until, None
        )
    valid_until, objection_deadline = class_term(computed, as_of, policy, calendar)
    return ClassDecision(
        computed,
        computed,
        reasons,
        changed=True,
        valid_from=as_of,
        valid_until=valid_until,
        objection_deadline=objection_deadline,
    )


def class_term(
    grade: Grade, notified: date, policy: FxPolicy, calendar: WorkingCalendar
) -> tuple[date | None, date | None]:
    """(valid until, objection deadline) of a class notified on ``notified``: B and C last
    ``class_validity_days`` and may be objected to for ``objection_working_days`` working
    days; A has neither. A notice from a classification and one from a granted objection
    take the same term."""
    if grade is Grade.A:
        return None, None
    return (
        notified + timedelta(days=policy.class_validity_days),
        calendar.add(notified, policy.objection_working_days),
    )


def _kept(current: CurrentClass, computed: Grade, reasons: tuple[Reason, ...]) -> ClassDecision:
    """The class in force kept against ``computed``: no new notice, no new deadline."""
    return ClassDecision(
        current.grade,
        computed,
        reasons,
        changed=False,
        valid_from=current.valid_from,
        valid_until=current.valid_until,
        objection_deadline=None,
    )


def _ruled(
    current: CurrentClass | None, computed: Grade, as_of: date, reasons: tuple[Reason, ...]
) -> ClassDecision | None:
    """The class given on a granted objection, kept while its ruling lasts against indicators
    that are stricter than it but no stricter than the class objected to (those are what the
    authority ruled on); None when the ordinary rules apply."""
    ruling = None if current is None else current.ruling
    if current is None or ruling is None or as_of >= ruling.until:
        return None
    if not current.grade.rank < computed.rank <= ruling.objected.rank:
        return None
    kept = Reason(
        "FX-RULED",
        f"class {current.grade} given on objection to class {ruling.objected} from "
        f"{current.valid_from} holds until {ruling.until}; the indicators alone would give "
        f"{computed}",
    )
    return _kept(current, computed, (*reasons, kept))


def _computed(indicators: Indicators, policy: FxPolicy) -> tuple[Grade, tuple[Reason, ...]]:
    held = indicators.conditions()
    for rule in policy.classes:
        matched = [c for c in rule.when if c in held]
        if matched:
            return Grade(rule.grade), tuple(_reason(c, indicators, policy) for c in matched)
    return Grade.A, (_within(indicators),)


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _figures(i: Indicators) -> str:
    return (
        f"gap USD {i.total_gap:,.2f}, gap ratio {_pct(i.gap_ratio)} over "
        f"{i.period_from:%Y-%m}..{i.period_to:%Y-%m} (threshold ±{_pct(i.threshold.gap_ratio)} "
        f"and USD {i.threshold.gap_floor_usd:,.0f})"
    )


def _reason(condition: str, i: Indicators, policy: FxPolicy) -> Reason:
    if condition == "breach":
        return Reason("FX-B01", f"threshold breached: {_figures(i)}")
    if condition == "large_deviation" or (condition == "on_site_candidate" and i.large_deviation):
        return Reason(
            "FX-C01",
            f"on-site candidate: gap ratio {_pct(i.deviation)} beyond the threshold "
            f"(≥ {_pct(policy.on_site_excess)}): {_figures(i)}",
        )
    return Reason(
        "FX-C02",
        f"on-site candidate: {i.consecutive_breaches} consecutive monthly breaches "
        f"(≥ {policy.consecutive_breaches}): {_figures(i)}",
    )


def _within(i: Indicators) -> Reason:
    return Reason("FX-A00", f"within the thresholds: {_figures(i)}")
