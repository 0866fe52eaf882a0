"""SAN-001 … SAN-008: masses, arithmetic, totals, prices and identifiers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from edi.model import Declaration, IdentifierScheme, Party, PartyIdentifier, PartyRole, Transport
from rules.controls import identifiers, prices, sanity
from rules.findings import Finding, Rule, Severity

from .builders import context, declaration, item, kg, party, usd


def run(rule: Rule, decl: Declaration, **kwargs: Any) -> list[Finding]:
    return rule(context(decl, **kwargs))


def test_clean_declaration_passes_every_sanity_rule() -> None:
    decl = declaration(
        item(),
        gross_mass=kg("8320"),
        net_mass=kg("8000"),
        invoice_total=usd("16000.00"),
        invoice_currency="USD",
        transport=Transport(mode="1", containers=("CSQU3054383",)),
    )
    rules = (*sanity.RULES, *prices.RULES, *identifiers.RULES)
    assert [f for rule in rules for f in run(rule, decl)] == []


def test_san001_item_net_above_gross() -> None:
    (finding,) = run(sanity.net_gross, declaration(item(net_mass=kg("9000"))))
    assert finding.severity is Severity.REJECT
    assert finding.evidence == {"net": "9000 KGM", "gross": "8320 KGM"}
    assert finding.item_sequence == 1


def test_san001_header_net_above_gross() -> None:
    (finding,) = run(sanity.net_gross, declaration(gross_mass=kg("100"), net_mass=kg("101")))
    assert finding.item_sequence is None


def test_san002_quantity_times_price_differs_from_total() -> None:
    (finding,) = run(sanity.item_arithmetic, declaration(item(value=usd("17000.00"))))
    assert finding.evidence["computed"] == "16000.00"
    assert finding.evidence["declared"] == "17000.00"
    assert finding.evidence["tolerance"] == "17.00000"


def test_san002_rounding_within_tolerance_passes() -> None:
    assert run(sanity.item_arithmetic, declaration(item(value=usd("16000.40")))) == []


def test_san003_items_do_not_add_up_to_the_invoice() -> None:
    decl = declaration(item(), invoice_total=usd("34300.00"), invoice_currency="USD")
    (finding,) = run(sanity.invoice_total, decl)
    assert finding.evidence == {
        "items_total": "16000.00",
        "invoice_total": "34300.00",
        "currency": "USD",
    }


def test_san003_skipped_for_mixed_currencies() -> None:
    decl = declaration(item(value=usd("1", "EUR")), invoice_total=usd("2"))
    assert run(sanity.invoice_total, decl) == []


def test_san004_header_gross_mass_differs_from_items() -> None:
    (finding,) = run(sanity.mass_totals, declaration(item(), gross_mass=kg("10000")))
    assert finding.evidence["mass"] == "gross"
    assert finding.evidence["items_total"] == "8320"


def test_san005_unit_price_below_the_reference_range() -> None:
    decl = declaration(item(unit_price=usd("1.00"), value=usd("8000.00")))
    (finding,) = run(prices.price_range, decl)
    assert finding.severity is Severity.WARNING
    assert finding.evidence["unit_price"] == "1.0000"
    assert (finding.evidence["low"], finding.evidence["high"]) == ("1.60", "3.80")
    assert finding.evidence["range_code"] == "0304620000"


def test_san005_falls_back_to_a_cny_range_of_the_heading() -> None:
    thai = item(origin_country="TH")  # the USD range is for VN only; 0304 has a CNY range
    assert run(prices.price_range, declaration(thai), values_cny={1: Decimal(160000)}) == []
    (finding,) = run(prices.price_range, declaration(thai), values_cny={1: Decimal(40000)})
    assert finding.evidence["currency"] == "CNY"
    assert finding.evidence["unit_price"] == "5.0000"
    assert finding.evidence["range_code"] == "0304"


def test_san005_no_reference_no_finding() -> None:
    assert run(prices.price_range, declaration(item(code="9999999999"))) == []


def test_san006_consignee_without_uscc() -> None:
    decl = declaration(parties=(party(PartyRole.CONSIGNEE, name="NO ID LTD"),))
    (finding,) = run(identifiers.trader_identified, decl)
    assert finding.evidence == {"role": "consignee", "direction": "import"}


def test_san006_an_eori_identifies_the_trader_of_an_eu_style_declaration() -> None:
    eori = PartyIdentifier(scheme=IdentifierScheme.EORI, value="GB553202734852")
    consignee = Party(role=PartyRole.CONSIGNEE, name="UK IMPORTS LTD", identifiers=(eori,))
    assert run(identifiers.trader_identified, declaration(parties=(consignee,))) == []


def test_san007_container_check_digit() -> None:
    decl = declaration(transport=Transport(containers=("CSQU3054383", "MSCU1234565")))
    (finding,) = run(identifiers.containers, decl)
    assert finding.evidence == {"container": "MSCU1234565"}


def test_san008_commodity_code_not_ten_digits() -> None:
    (finding,) = run(identifiers.commodity_code_length, declaration(item(code="030462")))
    assert finding.evidence == {"commodity_code": "030462", "expected_digits": 10}


def test_a_regimes_rule_weights_turn_rules_off_or_reweigh_their_findings() -> None:
    from dataclasses import replace

    from rules.context import ControlPolicy
    from rules.controls import run_controls

    # Net above gross on the item (SAN-001, reject) and a total that is not the arithmetic
    # (SAN-002, warning): one rule turned off, the other made a documents finding.
    decl = declaration(item(net_mass=kg("9000"), value=usd("17000.00")))
    plain = run_controls(context(decl))
    assert {f.rule_id for f in plain} >= {"SAN-001", "SAN-002"}
    weighed = ControlPolicy(rule_severity=(("SAN-001", "off"), ("SAN-002", "documents")))
    found = run_controls(replace(context(decl), policy=weighed))
    assert "SAN-001" not in {f.rule_id for f in found}
    (arithmetic,) = [f for f in found if f.rule_id == "SAN-002"]
    assert arithmetic.severity is Severity.DOCUMENTS
    others = [f for f in plain if f.rule_id not in ("SAN-001", "SAN-002")]
    assert [f for f in found if f.rule_id != "SAN-002"] == others
