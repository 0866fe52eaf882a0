"""Tariff-quota ledgers: first come, first served, decided while the declaration is assessed.

One ledger head per quota order number of the schedule in use (``quota:<order>``, the quota's
volume and unit), created on demand like the licence heads. The assessment step asks
:func:`draw_on_quotas` before it answers: every item assessed at an in-quota rate needs its
quantity (converted to the quota's unit) from the quota's balance, taken under the head's row
lock. When the balance covers the declaration's items on a quota, the draw is remembered on the
session and the controls step reserves it with the licence draws (a rejected declaration
reserves nothing); release consumes, rejection and invalidation give back — the ordinary ledger
movements. When it does not, the quota is passed to the assessment as exhausted
(``AssessmentRequest.exhausted_quotas``): the items on it pay the out-of-quota rate (QUO-001).

A declaration's items on one quota are drawn together: the engine takes exhausted quotas per
declaration, so either all of them fit or none is assessed in quota.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_UP, Decimal

from sqlalchemy.orm import Session

from clearance.ledgers.accounts import HeadSpec, Ref, apply, ensure_heads, lock_heads, state
from rules.findings import Finding, Severity
from rules.ledger import Allowance
from tariffs import UNITS, AssessmentRequest, DeclarationAssessment, RegimeProfile, Schedule

_PENDING = "quota.draws"
#: Ledger quantities are stored to four places; a draw is rounded up so the check is never short.
_PLACES = Decimal("0.0001")


def quota_key(order: str) -> str:
    """Ledger key of a tariff quota."""
    return f"quota:{order}"


@dataclass(frozen=True, slots=True)
class QuotaDraw:
    """What one declaration takes from one quota, and for which items."""

    order: str
    quantity: Decimal
    unit: str
    items: tuple[int, ...]

    @property
    def key(self) -> str:
        """The ledger key."""
        return quota_key(self.order)


@dataclass(frozen=True, slots=True)
class QuotaOutcome:
    """The draws that fit, the quotas to treat as exhausted and the findings to add."""

    draws: tuple[QuotaDraw, ...] = ()
    exhausted: frozenset[str] = frozenset()
    findings: tuple[Finding, ...] = field(default=())


def in_quota_items(
    assessment: DeclarationAssessment, schedule: Schedule, regime: RegimeProfile
) -> dict[int, str]:
    """Item sequence → quota order number, for every item assessed at an in-quota rate."""
    quota_type = regime.rate_selection.quota_in
    if quota_type is None:
        return {}
    out: dict[int, str] = {}
    for item in assessment.items:
        if item.rate is None or item.rate.measure_type != quota_type:
            continue
        measure = next(
            (m for m in schedule.measures_for_code(item.code) if m.id == item.rate.measure_id),
            None,
        )
        if measure is not None and measure.quota is not None and measure.quota in schedule.quotas:
            out[item.sequence] = measure.quota
    return out


def draw_on_quotas(
    session: Session,
    number: str,
    request: AssessmentRequest,
    assessment: DeclarationAssessment,
    schedule: Schedule,
    regime: RegimeProfile,
    now: datetime,
) -> QuotaOutcome:
    """Check the in-quota items of ``assessment`` against the quota balances, under lock."""
    orders = in_quota_items(assessment, schedule, regime)
    if not orders:
        return QuotaOutcome()
    wanted: defaultdict[str, Decimal] = defaultdict(Decimal)
    items: defaultdict[str, list[int]] = defaultdict(list)
    unmeasured: dict[int, str] = {}
    by_sequence = {i.sequence: i for i in request.items}
    for sequence, order in sorted(orders.items()):
        quota_unit = UNITS[schedule.quotas[order].unit]
        quantity = by_sequence[sequence].quantities_by_dimension().get(quota_unit.dimension)
        if quantity is None or quantity <= 0:
            unmeasured[sequence] = order
            continue
        wanted[order] += (quantity / quota_unit.factor).quantize(_PLACES, ROUND_UP)
        items[order].append(sequence)
    specs = [_spec(schedule, order) for order in sorted(set(orders.values()))]
    ensure_heads(session, specs, now)
    heads = lock_heads(session, [s.key for s in specs])
    draws, findings, exhausted = [], [], set(unmeasured.values())
    for order, quantity in sorted(wanted.items()):
        current = state(session, heads[quota_key(order)], number)
        # An amendment's earlier reservation is given back before the new one is booked.
        available = (current.balance.available or Decimal(0)) + current.holding(number).reserved
        unit = schedule.quotas[order].unit
        if quantity <= available and order not in exhausted:
            draws.append(QuotaDraw(order, quantity, unit, tuple(items[order])))
            continue
        exhausted.add(order)
        findings += [_exhausted(order, s, quantity, available, unit) for s in items[order]]
    findings += [_unmeasured(order, s, schedule) for s, order in sorted(unmeasured.items())]
    return QuotaOutcome(tuple(draws), frozenset(exhausted), tuple(findings))


def remember(session: Session, number: str, draws: tuple[QuotaDraw, ...]) -> None:
    """Keep ``number``'s quota draws on the session until the controls step books them."""
    session.info.setdefault(_PENDING, {})[number] = draws


def book(session: Session, ref: Ref, now: datetime) -> list[str]:
    """Reserve the quota draws remembered for ``ref`` (the heads are still locked)."""
    draws: tuple[QuotaDraw, ...] = session.info.get(_PENDING, {}).pop(ref.number, ())
    heads = lock_heads(session, [d.key for d in draws])
    for draw in draws:
        refusal = apply(session, heads[draw.key], ref, "reserve", now, draw.quantity, 0)
        if refusal is not None:  # the assessment saw the same locked balance: cannot happen
            raise RuntimeError(f"ledger {draw.key} refused a checked draw: {refusal.message}")
    return [d.key for d in draws]


def forget(session: Session, number: str) -> None:
    """Drop ``number``'s remembered draws (a rejected declaration reserves nothing)."""
    session.info.get(_PENDING, {}).pop(number, None)


def _spec(schedule: Schedule, order: str) -> HeadSpec:
    quota = schedule.quotas[order]
    return HeadSpec(quota_key(order), "quota", order, Allowance(quota.volume, quota.unit))


def _exhausted(
    order: str, sequence: int, needed: Decimal, available: Decimal, unit: str
) -> Finding:
    left = max(available, Decimal(0))
    return Finding(
        "QUO-001",
        1,
        Severity.INFO,
        f"第{sequence}项关税配额{order}余额不足，适用配额外税率",
        f"goods item {sequence}: tariff quota {order} exhausted: out-of-quota rate applied "
        f"({_fmt(needed)} {unit} needed, {_fmt(left)} {unit} left)",
        {"order_number": order, "needed": _fmt(needed), "available": _fmt(left), "unit": unit},
        sequence,
    )


def _unmeasured(order: str, sequence: int, schedule: Schedule) -> Finding:
    unit = schedule.quotas[order].unit
    return Finding(
        "QUO-002",
        1,
        Severity.WARNING,
        f"第{sequence}项无法按配额计量单位（{unit}）计量，适用配额外税率",
        f"goods item {sequence}: no quantity in the unit of tariff quota {order} ({unit}): "
        "out-of-quota rate applied",
        {"order_number": order, "unit": unit},
        sequence,
    )


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")
