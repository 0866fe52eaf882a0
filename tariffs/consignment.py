"""The consignment: totals per tax, de minimis relief, the exchange rates used."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from tariffs.errors import ExchangeRateError
from tariffs.expressions import format_money
from tariffs.policy import Policy, policy
from tariffs.rates import ExchangeRate
from tariffs.regimes import RegimeProfile
from tariffs.requests import AssessmentRequest
from tariffs.results import DeclarationAssessment, ItemAssessment, RateUsed, TaxTotal, fast_new
from tariffs.schedule import Schedule

ZERO = Decimal(0)


def consignment(
    request: AssessmentRequest,
    schedule: Schedule,
    regime: RegimeProfile,
    items: tuple[ItemAssessment, ...],
    notes: tuple[str, ...],
    used: dict[str, ExchangeRate],
    fx: Callable[[str], Decimal],
) -> DeclarationAssessment:
    """Totals per tax head, de minimis relief and the rates used: the declaration result."""
    sums: dict[str, Decimal] = {}
    for it in items:
        for ln in it.lines:
            tax = ln.tax
            sums[tax] = sums[tax] + ln.amount if tax in sums else ln.amount
    p = policy(regime)
    relief: dict[str, str] = {}
    if p.dm_basis != "none" and sums:
        relief, notes = _de_minimis(p, schedule.currency, items, sums, fx, notes)
    labels = p.labels
    totals = []
    assessed = payable = ZERO
    for tax, amount in sums.items():
        en, zh = labels.get(tax) or (tax, tax)
        why = relief.get(tax)
        totals.append(fast_new(TaxTotal, (tax, en, zh, amount, ZERO if why else amount, why)))
        assessed += amount
        if not why:
            payable += amount
    rates = _rates_used(schedule, used)
    version = schedule.version
    return fast_new(
        DeclarationAssessment,
        (
            request.reference, regime.id, version.id, version.content_hash, request.as_of,
            request.direction, request.incoterm.value, version.currency, items, tuple(totals),
            assessed, payable, rates, notes,
        ),
    )  # fmt: skip


def _rates_used(schedule: Schedule, used: dict[str, ExchangeRate]) -> tuple[RateUsed, ...]:
    out = []
    cache = schedule.plan_cache
    for code in sorted(used):
        r = used[code]
        if code == schedule.currency:
            continue
        record = cache.get(("rate_used", id(r)))  # the rate objects live as long as the schedule
        if record is None:
            quoted = schedule.rates.quoted(r)
            record = RateUsed(r.currency, r.rate, r.valid_from, r.source, quoted)
            cache[("rate_used", id(r))] = record
        out.append(record)
    return tuple(out)


def _de_minimis(
    p: Policy,
    cur: str,
    items: tuple[ItemAssessment, ...],
    sums: dict[str, Decimal],
    fx: Callable[[str], Decimal],
    notes: tuple[str, ...],
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Tax head → why it is relieved for the whole consignment (and the notes)."""
    own = p.dm_thresholds.get(cur)  # the administration's own amount in its currency
    try:
        threshold = p.dm_threshold if own is None else own
        if own is None and p.dm_currency != cur:
            threshold = (threshold * fx(p.dm_currency)).quantize(p.q, p.mode)
    except ExchangeRateError as exc:
        return {}, (*notes, f"de minimis not applied: {exc}")

    def within(amount: Decimal) -> bool:
        return amount <= threshold if p.dm_inclusive else amount < threshold

    def shown() -> str:
        converted = (
            f" (= {p.dm_currency} {p.dm_threshold})" if own is None and p.dm_currency != cur else ""
        )
        return f"{cur} {format_money(threshold)}{converted}"

    relief: dict[str, str] = {}
    if p.dm_basis == "tax_amount":
        for tax, amount in sums.items():
            if tax in p.dm_taxes and amount > ZERO and within(amount):
                relief[tax] = f"de minimis: {cur} {amount} per consignment is within {shown()}"
        return relief, notes
    intrinsic = sum((i.value.goods for i in items if i.value is not None), ZERO)
    excluded = any(i.code.startswith(p.dm_excluded) for i in items)
    if within(intrinsic) and not excluded:
        for tax in p.dm_taxes:
            if sums.get(tax, ZERO) > 0:
                relief[tax] = f"de minimis: consignment value {cur} {intrinsic} is within {shown()}"
    return relief, notes
