"""One goods item: duty, additional duties, consumption tax and VAT (or export duty), in Decimal.

Records are built with ``fast_new`` (``tuple.__new__``) in field order (see tariffs.results), and
``quantize(q, mode)`` takes the rounding positionally: half the cost of ``rounding=mode``. This is
the code that runs ≥ 100,000 times a second; it only does arithmetic on a prepared plan.
"""

from __future__ import annotations

from decimal import Decimal

from tariffs.expressions import Evaluator, MissingQuantityError
from tariffs.plans import Plan
from tariffs.policy import Policy
from tariffs.requests import ItemRequest
from tariffs.results import (
    Alternative,
    ChosenRate,
    ItemAssessment,
    TaxLine,
    ValueBreakdown,
    fast_new,
)

ZERO = Decimal(0)
ONE = Decimal(1)
_NO_QUANTITIES: dict[str, Decimal] = {}  # read-only: ad valorem plans never look at quantities


def unassessable(
    item: ItemRequest, problems: tuple[str, ...], currency: str, plan: Plan | None = None
) -> ItemAssessment:
    """An item that could not be assessed, with its problems (and the plan's findings)."""
    conditions = plan.conditions if plan is not None else ()
    notes = plan.notes if plan is not None else ()
    return ItemAssessment(
        item.sequence, item.code, item.origin, "not_assessable", currency, None, None, (), (),
        conditions, ZERO, None, problems, notes,
    )  # fmt: skip


def _taxes(
    p: Policy, plan: Plan, cv: Decimal, duty: Decimal, add: Decimal, qty: dict[str, Decimal]
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(consumption-tax base, consumption tax, VAT base, VAT), each rounded."""
    q, mode = p.q, p.mode
    ct_base = ct = ZERO
    c = plan.consumption
    if c is not None:
        base = cv
        if p.ct_duty:
            base += duty
        if p.ct_add:
            base += add
        if p.ct_inclusive:  # composite taxable price (组成计税价格): (base + q×s) / (1 − r)
            specific = c.evaluator.specific(qty)
            r = c.evaluator.fraction
            gross = (base + specific) / (ONE - r)
            ct = (gross * r + specific).quantize(q, mode)
            ct_base = gross.quantize(q, mode)
        else:
            ct = c.evaluator.amount(base, qty).quantize(q, mode)
            ct_base = base
    vat_base = vat = ZERO
    v = plan.vat
    if v is not None:
        vat_base = cv
        if p.vat_duty:
            vat_base += duty
        if p.vat_add:
            vat_base += add
        if p.vat_ct:
            vat_base += ct
        vat = (vat_base * v.evaluator.fraction).quantize(q, mode)  # one percentage
    return ct_base, ct, vat_base, vat


def import_item(
    plan: Plan, item: ItemRequest, vb: ValueBreakdown, p: Policy, cur: str
) -> ItemAssessment:
    """Duty (lowest contender), additional duties, consumption tax, VAT and alternatives."""
    if plan.plain and p.vat_on_duties:
        return _plain_item(plan, item, vb, p, cur)
    cv = vb.customs_value
    qty = item.quantities_by_dimension() if plan.uses_quantities else _NO_QUANTITIES
    q, mode = p.q, p.mode
    contenders = plan.contenders
    try:
        if len(contenders) == 1:
            best = 0
            ev = contenders[0].evaluator
            duty = (cv * ev.fraction if ev.simple else ev.amount(cv, qty)).quantize(q, mode)
            amounts = [duty]
        else:
            amounts = [_duty(c.evaluator, cv, qty, q, mode) for c in contenders]
            duty = min(amounts)
            best = amounts.index(duty)  # ties go to the earlier contender (the base)
        c = contenders[best]
        lines = [
            fast_new(TaxLine, ("customs_duty", c.type, c.id, c.words, cv, duty, cur, c.words_zh))
        ]
        add = ZERO
        for c in plan.additional:
            a = c.evaluator.amount(cv, qty).quantize(q, mode)
            add += a
            lines.append(fast_new(TaxLine, (c.tax, c.type, c.id, c.words, cv, a, cur, c.words_zh)))
        v = plan.vat
        if plan.consumption is None and v is not None and p.vat_on_duties:
            ct_base = ct = ZERO  # the common case, inline: VAT on value + duties
            vat_base = cv + duty + add
            vat = (vat_base * v.evaluator.fraction).quantize(q, mode)
        else:
            ct_base, ct, vat_base, vat = _taxes(p, plan, cv, duty, add, qty)
    except MissingQuantityError as exc:
        return unassessable(item, (str(exc),), cur, plan)
    t = plan.consumption
    if t is not None:
        lines.append(
            fast_new(TaxLine, (t.tax, t.type, t.id, t.words, ct_base, ct, cur, t.words_zh))
        )
    t = plan.vat
    if t is not None:
        lines.append(
            fast_new(TaxLine, ("vat", t.type, t.id, t.words, vat_base, vat, cur, t.words_zh))
        )
    total = duty + add + ct + vat
    alternatives: list[Alternative] = []
    if len(contenders) > 1:  # eligible rates that lost: what they would have cost
        for n, c in enumerate(contenders):
            if n != best:
                d = amounts[n]
                saving = total - _total(p, plan, cv, d, add, qty)
                why = plan.loser_why[n]
                alternatives.append(
                    fast_new(Alternative, (c.type, c.id, c.label, why, d, saving, cur, ()))
                )
    for c, why, needs in plan.obtainable:
        # The duty and saving are worked out only where the trader could act (present the
        # documents); a rate that cannot apply (general vs MFN, a replaced rate) is only named.
        try:
            ev = c.evaluator
            d = (cv * ev.fraction if ev.simple else ev.amount(cv, qty)).quantize(q, mode)
        except MissingQuantityError:
            alternatives.append(Alternative(c.type, c.id, c.label, why, None, None, cur, needs))
            continue
        gain = total - _total(p, plan, cv, d, add, qty)
        alternatives.append(
            fast_new(Alternative, (c.type, c.id, c.label, why, d, gain, cur, needs))
        )
    if plan.fixed_alternatives:
        alternatives += plan.fixed_alternatives
    return fast_new(
        ItemAssessment,
        (
            item.sequence, item.code, item.origin, "assessed", cur, vb, plan.chosen[best],
            tuple(lines), tuple(alternatives), plan.conditions, total, None, (), plan.notes,
        ),
    )  # fmt: skip


def _plain_item(
    plan: Plan, item: ItemRequest, vb: ValueBreakdown, p: Policy, cur: str
) -> ItemAssessment:
    """:func:`import_item` for the common shape (one ad valorem rate, VAT on value + duty).

    Same results, fewer steps; ``test_plain_path_equals_general_path`` holds them equal.
    """
    cv = vb.customs_value
    q, mode = p.q, p.mode
    c, v = plan.contenders[0], plan.vat
    assert v is not None  # plan.plain guarantees it
    duty = (cv * c.evaluator.fraction).quantize(q, mode)
    vat_base = cv + duty
    vat = (vat_base * v.evaluator.fraction).quantize(q, mode)
    lines = (
        fast_new(TaxLine, ("customs_duty", c.type, c.id, c.words, cv, duty, cur, c.words_zh)),
        fast_new(TaxLine, ("vat", v.type, v.id, v.words, vat_base, vat, cur, v.words_zh)),
    )
    return fast_new(
        ItemAssessment,
        (
            item.sequence, item.code, item.origin, "assessed", cur, vb, plan.chosen[0], lines,
            plan.fixed_alternatives, plan.conditions, duty + vat, None, (), plan.notes,
        ),
    )  # fmt: skip


def _duty(ev: Evaluator, base: Decimal, qty: dict[str, Decimal], q: Decimal, mode: str) -> Decimal:
    return (base * ev.fraction if ev.simple else ev.amount(base, qty)).quantize(q, mode)


def _total(
    p: Policy, plan: Plan, cv: Decimal, duty: Decimal, add: Decimal, qty: dict[str, Decimal]
) -> Decimal:
    _, ct, _, vat = _taxes(p, plan, cv, duty, add, qty)
    return duty + add + ct + vat


def export_item(
    plan: Plan, item: ItemRequest, vb: ValueBreakdown, p: Policy, cur: str
) -> ItemAssessment:
    """Export value FOB / (1 + t), export duty, and the export rebate (informational)."""
    fob = vb.customs_value
    qty = item.quantities_by_dimension() if plan.uses_quantities else _NO_QUANTITIES
    q, mode = p.q, p.mode
    lines: tuple[TaxLine, ...] = ()
    rate: ChosenRate | None = None
    value = fob
    try:
        if plan.contenders:
            c = plan.contenders[0]
            if c.fraction is not None:  # ad valorem: value = FOB / (1 + t), duty = value × t
                value = (fob / (ONE + c.fraction)).quantize(q, mode)
                duty = (value * c.fraction).quantize(q, mode)
            else:
                duty = c.evaluator.amount(fob, qty).quantize(q, mode)
            lines = (TaxLine("export_duty", c.type, c.id, c.words, value, duty, cur, c.words_zh),)
            rate = plan.chosen[0]
        rebate = None
        if plan.rebate is not None:
            r = plan.rebate
            amount = r.evaluator.amount(fob, qty).quantize(q, mode)
            rebate = TaxLine("export_rebate", r.type, r.id, r.words, fob, amount, cur, r.words_zh)
    except MissingQuantityError as exc:
        return unassessable(item, (str(exc),), cur, plan)
    alternatives = plan.fixed_alternatives  # exports: named only
    vb = vb._replace(customs_value=value)
    total = sum((ln.amount for ln in lines), ZERO)
    return ItemAssessment(
        item.sequence, item.code, item.origin, "assessed", cur, vb, rate, lines, alternatives,
        plan.conditions, total, rebate, (), plan.notes,
    )  # fmt: skip
