"""Properties of the duty maths (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tariffs import RegimeProfile, Schedule, assess_declaration
from tariffs.expressions import DutyComponent, DutyExpression, Op, compile_expression
from tariffs.selection import plan_for
from tariffs.valuation import allocate
from tests.unit.tariffs.builders import item, request

D = Decimal
SETTINGS = settings(max_examples=120, deadline=None)

money = st.decimals(min_value=D(0), max_value=D("10000000"), places=2, allow_nan=False)
percent = st.decimals(min_value=D(0), max_value=D(300), places=2, allow_nan=False)
rate = st.decimals(min_value=D(0), max_value=D(5000), places=3, allow_nan=False)
quantity = st.decimals(min_value=D(0), max_value=D(100000), places=3, allow_nan=False)
units = st.sampled_from(["kg", "t", "100kg", "g", "l", "500ml", "pce", "1000pce"])


@st.composite
def components(draw: st.DrawFn, op: Op = Op.ADD) -> DutyComponent:
    if draw(st.booleans()):
        return DutyComponent(op=op, percent=draw(percent))
    return DutyComponent(op=op, amount=draw(rate), currency="CNY", unit=draw(units))


@st.composite
def expressions(draw: st.DrawFn) -> DutyExpression:
    parts = draw(st.lists(components(), min_size=1, max_size=3))
    if draw(st.booleans()):
        parts.append(draw(components(Op.MIN)))
    if draw(st.booleans()):
        parts.append(draw(components(Op.MAX)))
    return DutyExpression(tuple(parts))


ALL_DIMS = st.fixed_dictionaries({"mass": quantity, "volume": quantity, "count": quantity})


@SETTINGS
@given(expressions(), money, ALL_DIMS)
def test_amounts_are_never_negative(expr: DutyExpression, value: D, qty: dict[str, D]) -> None:
    assert compile_expression(expr, "CNY").amount(value, qty) >= 0


@SETTINGS
@given(percent, money, money)
def test_ad_valorem_is_monotone_in_value(p: D, a: D, b: D) -> None:
    ev = compile_expression(DutyExpression((DutyComponent(percent=p),)), "CNY")
    low, high = sorted((a, b))

    def rounded(v: D) -> D:
        return ev.amount(v, {}).quantize(D("0.01"), rounding=ROUND_HALF_UP)

    assert rounded(low) <= rounded(high)


@SETTINGS
@given(st.lists(components(), min_size=1, max_size=3), components(Op.MAX), money, ALL_DIMS)
def test_capped_expressions_never_exceed_their_caps(
    base: list[DutyComponent], cap: DutyComponent, value: D, qty: dict[str, D]
) -> None:
    """MAX means "subject to a maximum of": the duty is at most the cap."""
    expr = DutyExpression((*base, cap))
    cap_alone = DutyExpression(
        (
            DutyComponent(
                percent=cap.percent, amount=cap.amount, currency=cap.currency, unit=cap.unit
            ),
        )
    )
    duty = compile_expression(expr, "CNY").amount(value, qty)
    assert duty <= compile_expression(cap_alone, "CNY").amount(value, qty)


@SETTINGS
@given(percent, rate, units, money, ALL_DIMS)
def test_compound_is_the_sum_of_its_parts(
    p: D, a: D, unit: str, value: D, qty: dict[str, D]
) -> None:
    av = DutyComponent(percent=p)
    sp = DutyComponent(amount=a, currency="CNY", unit=unit)
    whole = compile_expression(DutyExpression((av, sp)), "CNY").amount(value, qty)
    parts = [compile_expression(DutyExpression((c,)), "CNY").amount(value, qty) for c in (av, sp)]
    assert whole == sum(parts)


@SETTINGS
@given(money, st.lists(money, min_size=1, max_size=12))
def test_allocation_adds_up(total: D, weights: list[D]) -> None:
    shares = allocate(total, weights, D("0.01"), ROUND_HALF_UP)
    assert sum(shares) == total
    assert len(shares) == len(weights)


SAMPLE_CODES = st.sampled_from(
    [
        "2208902000", "2203000000", "2402200000", "2204210000", "0306179000", "1806900000",
        "8703234100", "3303000000", "0207142200", "8521101100", "1704900000", "2710121000",
    ]
)  # fmt: skip
ORIGINS = st.sampled_from(["US", "AU", "VN", "JP", "FR", "KR", "XZ"])


@settings(max_examples=150, deadline=None)
@given(
    SAMPLE_CODES,
    ORIGINS,
    st.decimals(min_value=D("0.01"), max_value=D("5000000"), places=2),
    st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3),
    st.booleans(),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30)),
)
def test_assessment_invariants(
    cn_schedule: Schedule,
    cn: RegimeProfile,
    code: str,
    origin: str,
    value: D,
    qty: D,
    proof: bool,
    on: date,
) -> None:
    """Amounts ≥ 0; VAT base = value + duty + additional duties + CT; totals add up."""
    quantities = ((str(qty), "kg"), (str(qty), "l"), (str(qty), "pce"), (str(qty), "1000pce"))
    it = item(code, origin=origin, value=str(value), quantities=quantities,
              documents=("Y",) if proof else ())  # fmt: skip
    result = assess_declaration(request(it, on=on), cn_schedule, cn)
    got = result.items[0]
    assert got.status == "assessed", got.problems
    assert got.value is not None
    assert all(ln.amount >= 0 for ln in got.lines)
    by_tax = {ln.tax: ln.amount for ln in got.lines}
    vat = got.line("vat")
    assert vat is not None
    assert vat.base == got.value.customs_value + sum(
        amount for tax, amount in by_tax.items() if tax != "vat"
    )
    assert got.total == sum(by_tax.values())
    assert result.total_assessed == got.total
    assert 0 <= result.total_payable <= result.total_assessed
    for alt in got.alternatives:
        assert alt.duty is None or alt.duty >= 0


@settings(max_examples=80, deadline=None)
@given(
    SAMPLE_CODES,
    st.decimals(min_value=D("1"), max_value=D("100000"), places=2),
    st.decimals(min_value=D("1"), max_value=D("100000"), places=2),
)
def test_duty_is_monotone_in_value_on_the_sample(
    cn_schedule: Schedule, cn: RegimeProfile, code: str, a: D, b: D
) -> None:
    low, high = sorted((a, b))
    quantities = (("10", "kg"), ("10", "l"), ("10", "pce"), ("10", "1000pce"))

    def duty(v: D) -> D:
        r = assess_declaration(
            request(item(code, value=str(v), quantities=quantities)), cn_schedule, cn
        )
        return r.items[0].total

    assert duty(low) <= duty(high)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["0306179000", "8471300000", "6109100000", "0203290000", "0101210010"]),
    ORIGINS,
    st.decimals(min_value=D("0.01"), max_value=D("5000000"), places=2),
)
def test_plain_path_equals_general_path(
    cn_schedule: Schedule, cn: RegimeProfile, code: str, origin: str, value: D
) -> None:
    """The fast path for one ad valorem rate + VAT gives exactly the general path's result."""
    it = item(code, origin=origin, value=str(value))
    fast = assess_declaration(request(it), cn_schedule, cn).items[0]
    plan = plan_for(cn_schedule, cn, it, date(2026, 3, 2), False, frozenset())
    assume(plan.plain)  # e.g. not for an origin with an obtainable agreement rate
    plan.plain = False
    try:
        slow = assess_declaration(request(it), cn_schedule, cn).items[0]
    finally:
        plan.plain = True
    assert fast == slow
