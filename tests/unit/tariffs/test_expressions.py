"""Duty expressions: evaluation and words (DOMAIN.md "Duty expressions")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tariffs.expressions import (
    DutyComponent,
    DutyExpression,
    MissingQuantityError,
    Op,
    compile_expression,
    format_money,
)

D = Decimal


def av(p: str, op: Op = Op.ADD) -> DutyComponent:
    return DutyComponent(op=op, percent=D(p))


def sp(a: str, unit: str, op: Op = Op.ADD, cur: str = "CNY", **eq: str) -> DutyComponent:
    equivalents = tuple((u, D(n)) for u, n in eq.items())
    return DutyComponent(op=op, amount=D(a), currency=cur, unit=unit, equivalents=equivalents)


# (rule, components, value, quantities by dimension (base units), expected duty, words)
CASES = [
    ("ad valorem: % of customs value", [av("12")], "1000", {}, "120", "12%"),
    (
        "specific: amount per unit (kg)",
        [sp("1.30", "kg")],
        "1000",
        {"mass": "250"},
        "325",
        "CNY 1.30/kg",
    ),
    (
        "specific with unit conversion: per t on kg",
        [sp("250", "t")],
        "0",
        {"mass": "1500"},
        "375",
        "CNY 250.00/t",
    ),
    (
        "specific with unit conversion: per 100 kg",
        [sp("221.10", "100kg", cur="GBP")],
        "0",
        {"mass": "250"},
        "552.75",
        "GBP 221.10/100 kg",
    ),
    (
        "specific per 500 ml on litres",
        [sp("0.50", "500ml")],
        "0",
        {"volume": "3"},
        "3",
        "CNY 0.50/500 ml",
    ),
    (
        "specific across dimensions with a stated equivalence (1 t = 988 l)",
        [sp("250", "t", l="988")],
        "0",
        {"volume": "988"},
        "250",
        "CNY 250.00/t (1 t = 988 l)",
    ),
    (
        "compound = ad valorem + specific",
        [av("3"), sp("4374", "pce")],
        "100000",
        {"count": "2"},
        "11748",
        "3% + CNY 4,374.00/piece",
    ),
    (
        "MAX means subject to a maximum: min(duty, cap), cap not reached",
        [av("12"), sp("5.00", "kg", op=Op.MAX)],
        "1000",
        {"mass": "100"},
        "120",
        "12% subject to a maximum of CNY 5.00/kg",
    ),
    (
        "MAX means subject to a maximum: min(duty, cap), cap reached",
        [av("12"), sp("5.00", "kg", op=Op.MAX)],
        "1000",
        {"mass": "10"},
        "50",
        "12% subject to a maximum of CNY 5.00/kg",
    ),
    (
        "MIN means subject to a minimum: max(duty, floor), floor reached",
        [av("10"), sp("1.50", "kg", op=Op.MIN)],
        "100",
        {"mass": "100"},
        "150",
        "10% subject to a minimum of CNY 1.50/kg",
    ),
    (
        "MIN means subject to a minimum: max(duty, floor), floor not reached",
        [av("10"), sp("1.50", "kg", op=Op.MIN)],
        "10000",
        {"mass": "100"},
        "1000",
        "10% subject to a minimum of CNY 1.50/kg",
    ),
    (
        "MAX as a percentage cap (EU 8% + 0.25/kg MAX 18%)",
        [av("8"), sp("0.25", "kg", cur="GBP"), av("18", Op.MAX)],
        "100",
        {"mass": "100"},
        "18",
        "8% + GBP 0.25/kg subject to a maximum of 18%",
    ),
]


@pytest.mark.parametrize(
    ("rule", "components", "value", "quantities", "expected", "words"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_expression(
    rule: str,
    components: list[DutyComponent],
    value: str,
    quantities: dict[str, str],
    expected: str,
    words: str,
) -> None:
    expr = DutyExpression(tuple(components))
    currency = components[0].currency or "CNY"
    if any(c.currency == "GBP" for c in components):
        currency = "GBP"
    evaluator = compile_expression(expr, currency)
    qty = {k: D(v) for k, v in quantities.items()}
    assert evaluator.amount(D(value), qty) == D(expected), rule
    assert expr.words == words, rule


def test_specific_amount_in_another_currency_is_converted() -> None:
    # EUR 2.00/kg assessed in CNY at 8 CNY per EUR: 10 kg → CNY 160
    expr = DutyExpression((sp("2.00", "kg", cur="EUR"),))
    ev = compile_expression(expr, "CNY", lambda c: D("8"))
    assert ev.amount(D(0), {"mass": D(10)}) == D(160)


def test_missing_quantity_names_the_dimension() -> None:
    ev = compile_expression(DutyExpression((sp("1.30", "kg"),)), "CNY")
    with pytest.raises(MissingQuantityError, match="quantity in mass"):
        ev.amount(D(100), {"volume": D(3)})


def test_chinese_words() -> None:
    expr = DutyExpression((av("12"), sp("5.00", "kg", op=Op.MAX)))
    assert expr.words_zh == "12%，最高 5.00元/千克"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"percent": D(1), "amount": D(1)}, "either a percent or an amount"),
        ({}, "either a percent or an amount"),
        ({"percent": D(-1)}, "non-negative"),
        ({"amount": D(1), "currency": "CNY"}, "needs a currency and a unit"),
        ({"percent": D(1), "unit": "kg"}, "no currency, unit"),
        (
            {"amount": D(1), "currency": "CNY", "unit": "kg", "equivalents": (("g", D(1000)),)},
            "another dimension",
        ),
    ],
)
def test_invalid_components(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DutyComponent(**kwargs)  # type: ignore[arg-type]


def test_an_expression_needs_an_additive_part() -> None:
    with pytest.raises(ValueError, match="'\\+' component"):
        DutyExpression((av("5", Op.MAX),))


@pytest.mark.parametrize(
    ("value", "text"),
    [("4374", "4,374.00"), ("0.003", "0.003"), ("1234.5", "1,234.50"), ("0", "0.00")],
)
def test_format_money(value: str, text: str) -> None:
    assert format_money(D(value)) == text
