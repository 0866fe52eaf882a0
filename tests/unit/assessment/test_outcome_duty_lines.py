"""An item's duty lines are kept as the assessment's TaxLines (ADR 0006, stop 25).

The outcome used to carry each line as a dictionary of text (``str`` of every base and
amount) and the answers parsed the text back into ``Decimal``. It now keeps the TaxLines and
writes the text only for ``--json``: both readings must be what the round trip gave, value and
exponent alike (``Decimal("1.10")`` is not ``Decimal("1.1")`` in an answer's MOA).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clearance.flow.outcome import TAX_TYPES, ItemOutcome
from tariffs import TaxLine

LINES = (
    TaxLine("customs_duty", "103", "MFN-0302", "10%", Decimal("1234.50"), Decimal("123.45"), "CNY"),
    TaxLine("anti_dumping", "551", "AD-1", "5 CNY/kg", Decimal("2000"), Decimal("1E+4"), "CNY"),
    TaxLine(
        "vat", "VAT", "VAT-13", "13%", Decimal("1357.95"), Decimal("176.5335"), "CNY", "增值税"
    ),
    TaxLine("consumption_tax", "CT", "CT-1", "0%", Decimal("0.00"), Decimal("-0"), "USD"),
    TaxLine("export_duty", "EX", "EX-1", "20%", Decimal("1E-7"), Decimal("0.000"), "EUR"),
)


def _as_text(line: TaxLine) -> dict[str, Any]:
    """The dictionary the assessment step put on the outcome before (its ``_duty``)."""
    return {
        "tax": line.tax,
        "tax_type": TAX_TYPES.get(line.tax, "OTH"),
        "measure_type": line.measure_type,
        "measure_id": line.measure_id,
        "expression": line.expression,
        "base": str(line.base),
        "amount": str(line.amount),
        "currency": line.currency,
    }


def _assessed() -> ItemOutcome:
    return ItemOutcome(1, "0302130000", "NO").with_assessment("1234.50", LINES)


def test_the_json_duties_are_the_text_the_step_wrote() -> None:
    item = _assessed()
    assert item.duties == tuple(_as_text(line) for line in LINES)
    assert item.to_json()["duties"] == [_as_text(line) for line in LINES]
    assert item.to_json()["customs_value"] == "1234.50"


def test_the_answers_duty_lines_are_the_text_parsed_back() -> None:
    item = _assessed()
    expected = [
        (d["tax_type"], Decimal(d["base"]), Decimal(d["amount"]), d["currency"])
        for d in (_as_text(line) for line in LINES)
    ]
    got = item.duty_lines()
    assert got == expected
    # Equal is not enough: the exponent (and the sign of a zero) is what the answer prints.
    assert [(t, str(b), str(a), c) for t, b, a, c in got] == [
        (t, str(b), str(a), c) for t, b, a, c in expected
    ]
    assert [t for t, _, _, _ in got] == ["CUD", "OTH", "VAT", "EXC", "CUD"]


def test_an_item_without_assessment_has_no_duties() -> None:
    item = ItemOutcome(2, "0101210000", None)
    assert item.lines == () and item.duties == () and item.duty_lines() == []
    assert item.to_json()["duties"] == []


def test_the_cusres_duty_lines_are_each_items_duty_lines_in_item_order() -> None:
    # clearance.answers.edifact reads the TaxLines directly (stop 26); it must give what
    # DutyLine(sequence, *duty_line) of every item's duty_lines() gave, exponents included.
    from clearance.answers.edifact import _duty_lines
    from clearance.flow.outcome import DeclarationOutcome
    from edi.edifact.cusres import DutyLine

    outcome = DeclarationOutcome("1", "REF", "N1", "import", "released")
    outcome.items = [
        ItemOutcome(3, "0302130000", "NO").with_assessment("1234.50", LINES[:2]),
        ItemOutcome(1, "0101210000", None),  # not assessed: no lines
        ItemOutcome(2, "0302130000", "NO").with_assessment("1E-7", LINES[2:]),
    ]
    expected = tuple(
        DutyLine(item.sequence, tax_type, None, base, amount, currency)
        for item in outcome.items
        for tax_type, base, amount, currency in item.duty_lines()
    )
    got = _duty_lines(outcome)
    assert got == expected
    assert [tuple(map(str, line)) for line in got] == [tuple(map(str, e)) for e in expected]
    assert [(line.item_sequence, line.tax_type) for line in got] == [
        (3, "CUD"),
        (3, "OTH"),
        (2, "VAT"),
        (2, "EXC"),
        (2, "CUD"),
    ]
