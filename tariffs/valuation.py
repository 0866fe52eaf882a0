"""Customs value from the incoterm and the charges (完税价格).

Imports are valued CIF: the price plus freight and insurance to the place of import, plus other
charges (杂费). What must be added depends on the incoterm:

=============  =====================================
incoterm        added to the price
=============  =====================================
CIF, CIP        other charges
CFR, CPT        insurance, other charges
FOB, FCA, FAS   freight, insurance, other charges
EXW             freight, insurance, other charges (the inland leg belongs in other charges)
=============  =====================================

Insurance that is not declared is, where the profile says so, a percentage of goods + freight
(China: 0.3 %, i.e. 3‰). Exports are valued FOB: CFR/CPT less freight, CIF/CIP less freight and
insurance, EXW plus other charges; then (with an ad valorem export duty ``t``) the customs value is
``FOB / (1 + t)`` — see :func:`export_customs_value`.

Declaration-level charges are converted once, rounded, and allocated to the items by value share;
every item but the last gets its rounded share and the last gets the remainder, so the items add
up to the declared total exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NamedTuple

from tariffs.regimes import RegimeProfile
from tariffs.requests import AssessmentRequest, Charge, ChargeMark, Incoterm
from tariffs.results import fast_new

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_ADDS_FREIGHT = {Incoterm.FOB, Incoterm.FCA, Incoterm.FAS, Incoterm.EXW}
_ADDS_INSURANCE = _ADDS_FREIGHT | {Incoterm.CFR, Incoterm.CPT}
_HAS_INSURANCE = {Incoterm.CIF, Incoterm.CIP}


class Valuation(NamedTuple):
    """Per-item goods value, allocated charges and value (CIF import / FOB export)."""

    goods: tuple[Decimal, ...]
    freight: tuple[Decimal, ...]
    insurance: tuple[Decimal, ...]
    other: tuple[Decimal, ...]
    values: tuple[Decimal, ...]
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def allocate(
    total: Decimal, weights: Sequence[Decimal], quantum: Decimal, rounding: str
) -> tuple[Decimal, ...]:
    """Split ``total`` by ``weights``; shares rounded, the remainder to the last share.

    With all weights zero the split is equal. The shares always sum to ``total``.
    """
    n = len(weights)
    if n == 1:
        return (total,)
    whole = sum(weights, ZERO)
    if whole:
        shares = [(total * w / whole).quantize(quantum, rounding) for w in weights[:-1]]
    else:
        shares = [(total / n).quantize(quantum, rounding)] * (n - 1)
    shares.append(total - sum(shares, ZERO))
    return tuple(shares)


def export_customs_value(fob: Decimal, rate: Decimal) -> Decimal:
    """Export customs value: ``FOB / (1 + rate)`` (rate as a fraction), unrounded."""
    return fob / (1 + rate)


def value_declaration(
    request: AssessmentRequest,
    fx: Callable[[str], Decimal],
    regime: RegimeProfile,
) -> Valuation:
    """Value every item of ``request`` in the assessment currency (``fx(code)`` converts)."""
    q, mode = regime.rounding.quantum, regime.rounding.decimal_mode
    items = request.items
    goods_list: list[Decimal] = []
    held, rate = "", ZERO
    for i in items:  # usually one currency per declaration: one rate lookup
        v = i.value
        if v.currency != held:
            held, rate = v.currency, fx(v.currency)
        goods_list.append((v.amount * rate).quantize(q, mode))
    goods = tuple(goods_list)
    total = sum(goods, ZERO)
    term = request.incoterm
    export = request.direction == "export"
    use_f, use_i, use_o = _USED[term, export]
    zero = q * 0  # 0.00: unused charges show at the same scale as the others
    n = len(items)
    if not (use_f or use_i or (use_o and request.other_charges)):
        # The price already is the value (CIF import, FOB export): nothing to add or take out.
        zeros = (zero,) * n
        return fast_new(Valuation, (goods, zeros, zeros, zeros, goods, (), ()))
    ctx = _Charges(request, fx, q, mode)

    freight = ctx.charge(request.freight, total, "freight") if use_f else zero
    if freight is None:
        ctx.problems.append(f"freight is needed to value {term.value} goods")
        freight = zero
    insurance = zero
    if use_i:
        # The insurance base is goods + freight; a CFR/CIF price already contains the freight.
        base = total + freight if term in _ADDS_FREIGHT else total
        declared = ctx.charge(request.insurance, base, "insurance")
        insurance = (
            declared if declared is not None else ctx.default_insurance(regime, base, export)
        )
    other = (ctx.charge(request.other_charges, total, "other charges") or zero) if use_o else zero

    f_i = allocate(freight, goods, q, mode) if freight else (zero,) * n
    i_i = allocate(insurance, goods, q, mode) if insurance else (zero,) * n
    o_i = allocate(other, goods, q, mode) if other else (zero,) * n
    if export:  # back to FOB
        values = tuple([g - f - i + o for g, f, i, o in zip(goods, f_i, i_i, o_i, strict=True)])
        if any(v < 0 for v in values):
            ctx.problems.append("freight and insurance exceed the export price")
    else:
        values = tuple([g + f + i + o for g, f, i, o in zip(goods, f_i, i_i, o_i, strict=True)])
    notes, problems = tuple(ctx.notes), tuple(ctx.problems)
    return fast_new(Valuation, (goods, f_i, i_i, o_i, values, notes, problems))


class _Charges:
    """Converts one declaration's charges; collects notes and problems."""

    def __init__(
        self, request: AssessmentRequest, fx: Callable[[str], Decimal], q: Decimal, mode: str
    ) -> None:
        self.request = request
        self.fx = fx
        self.q = q
        self.mode = mode
        self.currency = request.invoice_currency or request.items[0].value.currency
        self.notes: list[str] = []
        self.problems: list[str] = []

    def round(self, x: Decimal) -> Decimal:
        """Round to the profile quantum."""
        return x.quantize(self.q, self.mode)

    def charge(self, c: Charge | None, base: Decimal, name: str) -> Decimal | None:
        """The charge in the assessment currency; a rate is a percent of ``base``."""
        if c is None:
            return None
        if c.mark is ChargeMark.RATE:
            return self.round(base * c.value / HUNDRED)
        amount = c.value * self.fx(c.currency or self.currency)
        if c.mark is ChargeMark.PER_UNIT:
            if self.request.gross_mass_kg is None:
                self.problems.append(f"{name} per tonne needs the gross mass")
                return None
            amount = amount * self.request.gross_mass_kg / 1000
        return self.round(amount)

    def default_insurance(self, regime: RegimeProfile, base: Decimal, export: bool) -> Decimal:
        """Insurance not declared: the profile's percent of goods + freight, or zero."""
        pct = regime.valuation.insurance_percent_when_unknown
        if pct is None:
            return self.q * 0
        if export:  # a CIF price contains the insurance: CIF = (FOB + F) × (1 + p)
            amount = self.round(base - base / (1 + pct / HUNDRED))
        else:
            amount = self.round(base * pct / HUNDRED)
        self.notes.append(f"insurance not declared: {pct}% of goods + freight = {amount}")
        return amount


def _uses(term: Incoterm, export: bool) -> tuple[bool, bool, bool]:
    """(freight, insurance, other charges) that move the price to CIF (import) or FOB (export).

    Only these are computed, so the breakdown shows exactly what made the value.
    """
    if export:
        return term not in _ADDS_FREIGHT, term in _HAS_INSURANCE, term is Incoterm.EXW
    return term in _ADDS_FREIGHT, term in _ADDS_INSURANCE, True


_USED = {(t, e): _uses(t, e) for t in Incoterm for e in (False, True)}
