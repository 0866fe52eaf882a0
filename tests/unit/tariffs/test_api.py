"""The public entry points the clearance pipeline and the CLI call."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from tariffs import (
    Charge,
    RegimeError,
    RegimeProfile,
    Schedule,
    load_regime,
    load_regime_file,
    measures_in_force,
    parse_charge,
    parse_document,
    quote,
    render_assessment,
    render_measures,
    unit_symbol,
)
from tariffs.errors import UnknownUnitError
from tests.unit.tariffs.builders import item, request

D = Decimal
ON = date(2026, 3, 2)


def test_quote_returns_value_lines_alternatives_and_total(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    result = quote(
        cn_schedule, cn, code="0306179000", origin="VN", as_of=ON, value="10000", currency="USD",
        quantities=[("2000", "kg")], incoterm="FOB", freight="500",
    )  # fmt: skip
    it = result.items[0]
    assert it.value is not None
    # goods 70,655.00 + freight 3,532.75 + insurance 3‰ of 74,187.75 = 222.56
    assert (it.value.goods, it.value.freight, it.value.insurance) == (
        D("70655.00"),
        D("3532.75"),
        D("222.56"),
    )
    assert it.customs_value == D("74410.31")
    assert [(ln.tax, ln.amount) for ln in it.lines] == [
        ("customs_duty", D("3720.52")),
        ("vat", D("7031.77")),
    ]
    acfta = next(a for a in it.alternatives if a.measure_type == "conventional")
    assert acfta.message.startswith(
        "ACFTA agreement rate 0% needs the item to claim ACFTA, with proof of origin (Y):"
        " would save CNY"
    )
    assert result.total_payable == D("10752.29")
    assert result.exchange_rates[0].quoted == "CNY 7.0655 per 1 USD"


def test_result_records_have_their_fields_in_order(
    cn_schedule: Schedule, cn: RegimeProfile
) -> None:
    """The hot path builds records positionally; the field names must line up."""
    result = quote(cn_schedule, cn, code="2204210000", origin="AU", as_of=date(2023, 3, 1),
                   value="1000", currency="CNY")  # fmt: skip
    it = result.items[0]
    assert (it.sequence, it.code, it.origin, it.status, it.currency) == (
        1,
        "2204210000",
        "AU",
        "assessed",
        "CNY",
    )
    assert it.value is not None
    assert (it.value.basis, it.value.currency) == ("CIF", "CNY")
    line = it.lines[1]
    assert (line.tax, line.measure_type, line.currency) == ("anti_dumping", "anti_dumping", "CNY")
    alt = it.alternatives[0]  # obtainable first, then those that cannot apply
    assert (alt.measure_type, alt.currency, alt.needs) == ("conventional", "CNY", ("Y",))
    # duty 140 + AD 2,184 + CT 369.33 + VAT 480.13 = 3,173.46 vs 0 + 2,184 + 353.78 + 459.91
    assert (alt.duty, alt.saving) == (D("0.00"), D("175.77"))
    general = it.alternatives[-1]
    assert (general.measure_type, general.duty, general.saving) == ("general", None, None)
    assert it.rebate is None
    assert it.problems == ()


def test_model_dump_is_json_ready(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    result = quote(cn_schedule, cn, code="2208902000", origin="FR", as_of=ON, value="100",
                   currency="EUR", quantities=[("10", "l")])  # fmt: skip
    data = json.loads(result.model_dump_json())
    assert data["complete"] is True
    assert data["items"][0]["lines"][1]["expression"] == "20% + CNY 0.50/500 ml"
    assert data["items"][0]["alternatives"][0]["message"]
    assert data["totals"][0]["label_zh"] == "关税"
    assert data["as_of"] == "2026-03-02"


def test_measures_in_force_for_show(cn_schedule: Schedule) -> None:
    views = measures_in_force(cn_schedule, "2204210000", "AU", date(2023, 1, 1))
    assert [v.type for v in views] == [
        "mfn", "conventional", "general", "anti_dumping", "consumption_tax", "vat",
    ]  # fmt: skip
    ad = views[3]
    assert (ad.geo, ad.expression, ad.valid_to) == ("AU", "218.4%", date(2024, 3, 28))
    assert views[1].geo_name == "China-Australia FTA"
    text = render_measures(cn_schedule, "2204210000", "AU", date(2023, 1, 1))
    assert "装入2升及以下容器的葡萄酒" in text
    assert "anti-dumping duty (反倾销税) [AU] 218.4%" in text


def test_measures_at_heading_level_apply_to_lines_and_lines_override(cn_schedule: Schedule) -> None:
    vats = [v for v in measures_in_force(cn_schedule, "2402200000", None, ON) if v.type == "vat"]
    assert [(v.code, v.expression) for v in vats] == [("24022000", "13%")]  # not chapter 24's 9%
    vats = [v for v in measures_in_force(cn_schedule, "2401101000", None, ON) if v.type == "vat"]
    assert [(v.code, v.expression) for v in vats] == [("24", "9%")]


def test_render_assessment_reads_like_an_answer(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    result = quote(cn_schedule, cn, code="7202410000", origin="JP", as_of=ON, value="10000",
                   currency="USD", direction="export", incoterm="FOB")  # fmt: skip
    text = render_assessment(result)
    assert "customs value = FOB / (1 + export duty rate) = CNY 58,879.17" in text
    assert "export rebate 0% of FOB" in text


def test_conditions_become_findings(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    result = quote(cn_schedule, cn, code="2402200000", origin="US", as_of=ON, value="1000",
                   currency="CNY", quantities=[("1", "1000pce")])  # fmt: skip
    finding = result.items[0].conditions[0]
    assert (finding.action, finding.documents) == ("reject", ("1",))
    assert "import licence (1)" in finding.message
    ok = quote(cn_schedule, cn, code="2402200000", origin="US", as_of=ON, value="1000",
               currency="CNY", quantities=[("1", "1000pce")], documents=["1"])  # fmt: skip
    assert ok.items[0].conditions == ()


def test_company_specific_anti_dumping_rate(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    residual = quote(
        cn_schedule, cn, code="2907111000", origin="KR", as_of=ON, value="1000", currency="CNY"
    )
    company = quote(cn_schedule, cn, code="2907111000", origin="KR", as_of=ON, value="1000",
                    currency="CNY", additional_codes=["C101"])  # fmt: skip
    assert residual.items[0].lines[1].amount == D("196.00")
    assert company.items[0].lines[1].amount == D("92.00")


def test_extension_measure_type_is_charged(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    result = quote(
        cn_schedule, cn, code="1201901000", origin="US", as_of=ON, value="1000", currency="CNY"
    )
    assert [ln.tax for ln in result.items[0].lines] == ["customs_duty", "additional_tariff", "vat"]


def test_quote_reads_c_and_f_as_cfr(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    result = quote(cn_schedule, cn, code="0306179000", origin="US", as_of=ON, value="1000",
                   currency="CNY", incoterm="C&F")  # fmt: skip
    assert result.incoterm == "CFR"
    assert result.items[0].customs_value == D("1003.00")  # + 3‰ insurance


def test_unit_codes_from_messages() -> None:
    assert [unit_symbol(c) for c in ("kg", "KGM", "035", "LTR", "143", "NAR")] == [
        "kg", "kg", "kg", "l", "1000pce", "pce",
    ]  # fmt: skip
    with pytest.raises(UnknownUnitError):
        unit_symbol("XYZ")


def test_parse_helpers() -> None:
    assert parse_charge("5%") == Charge.percent("5")
    assert parse_charge("120.50") == Charge.amount("120.50")
    assert parse_charge(None) is None
    assert parse_document("Y:ACFTA").agreement == "ACFTA"
    assert parse_document("Y").agreement is None


def test_request_validation() -> None:
    with pytest.raises(ValidationError, match="unknown unit"):
        item("0101210010", quantities=(("1", "furlong"),))
    with pytest.raises(ValidationError, match="unique"):
        request(item("0101210010"), item("0101210010"))
    with pytest.raises(ValidationError, match="pattern"):
        item("01012")


def test_regime_files_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"id": "x", "name_en": "x", "rate_selection": {"base": []}}')
    with pytest.raises(RegimeError, match=r"x\.json"):
        load_regime_file(bad)
    with pytest.raises(RegimeError, match="unknown regime"):
        load_regime("xx")
    assert load_regime("cn").valuation.insurance_percent_when_unknown == D("0.3")
