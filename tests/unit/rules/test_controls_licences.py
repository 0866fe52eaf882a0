"""LIC-001 … LIC-008: licences against registry and ledger balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from edi.model import Declaration, Direction, PartyRole
from rules.claims import declaration_draws, licence_allowance, licence_claims, licence_key
from rules.controls import licence_balances, licences
from rules.findings import Finding, Rule, Severity
from rules.ledger import Balance, LedgerState

from .builders import (
    NINGBO,
    SAMPLE_REGISTRIES,
    SHANGHAI,
    context,
    declaration,
    item,
    kg,
    licence,
    party,
    usd,
)

PALM = "26-AA-310045"


def palm_oil(
    quantity: str = "20000", number: str = PALM, code: str = "1511100000", **fields: Any
) -> Declaration:
    """A palm-oil import citing licence ``number`` at item level."""
    line = item(
        1,
        code,
        quantity=kg(quantity),
        statutory_quantity=kg(quantity),
        gross_mass=kg(str(Decimal(quantity) + 500)),
        net_mass=kg(quantity),
        unit_price=usd("0.99"),
        value=usd(str(Decimal(quantity) * Decimal("0.99"))),
        origin_country="MY",
        documents=(licence(number),),
    )
    return declaration(line, departure_country="MY", **fields)


def run(rule: Rule, decl: Declaration, **kwargs: Any) -> list[Finding]:
    return rule(context(decl, **kwargs))


def balance_after(held: str, uses: int, number: str = PALM) -> dict[str, Balance]:
    lic = SAMPLE_REGISTRIES.licences[number]
    state = LedgerState(licence_allowance(lic))
    for n in range(uses):
        amount = Decimal(held) if n == 0 else Decimal(0)
        result = state.reserve(f"OTHER-{n}", amount, 1)
        assert isinstance(result, LedgerState)
        state = result
    return {licence_key(number): state.balance}


ALL = (*licences.RULES, *licence_balances.RULES)


def test_valid_licence_passes_every_licence_rule() -> None:
    ctx = context(palm_oil())
    assert [f for rule in ALL for f in rule(ctx)] == []
    (draw,) = declaration_draws(ctx)
    assert (draw.key, draw.quantity, draw.uses, draw.unit) == (
        licence_key(PALM),
        Decimal(20000),
        1,
        "KGM",
    )


def test_lic001_unknown_licence() -> None:
    (finding,) = run(licences.registered, palm_oil(number="26-AA-999999"))
    assert finding.severity is Severity.DOCUMENTS
    assert finding.evidence["licence"] == "26-AA-999999"
    assert finding.item_sequence == 1


def test_lic002_suspended_licence() -> None:
    decl = palm_oil(number="26-AA-310046", code="0202300090")
    (finding,) = run(licences.active, decl)
    assert finding.severity is Severity.REJECT
    assert finding.evidence == {"licence": "26-AA-310046", "status": "suspended"}


def test_lic003_holder_differs_from_consignee() -> None:
    decl = palm_oil(parties=(party(PartyRole.CONSIGNEE, NINGBO),))
    (finding,) = run(licences.holder, decl)
    assert finding.evidence == {"licence": PALM, "holder": SHANGHAI, "trader": NINGBO}


def test_lic004_import_licence_on_an_export() -> None:
    decl = palm_oil(direction=Direction.EXPORT, parties=(party(PartyRole.CONSIGNOR, SHANGHAI),))
    (finding,) = run(licences.direction, decl)
    assert finding.evidence["licence_direction"] == "import"
    assert finding.evidence["declared_direction"] == "export"


def test_lic005_item_not_covered() -> None:
    (finding,) = run(licences.commodity, palm_oil(code="1511900000"))
    assert finding.evidence["commodity_code"] == "1511900000"
    assert finding.evidence["licence_codes"] == ("1511100000",)


def test_lic005_header_licence_covering_nothing() -> None:
    decl = declaration(item(), documents=(licence(PALM),))
    (finding,) = run(licences.commodity, decl)
    assert finding.item_sequence is None
    assert "covers none" in finding.message_en


def test_lic006_expired_on_the_declaration_date() -> None:
    (finding,) = run(licences.validity, palm_oil(), as_of=date(2027, 1, 5))
    assert finding.evidence["valid_to"] == "2026-12-31"
    assert finding.evidence["as_of"] == "2027-01-05"


def test_lic007_twelve_uses_taken() -> None:
    (finding,) = run(licence_balances.uses, palm_oil(), balances=balance_after("1000", 12))
    assert finding.evidence == {"licence": PALM, "max_uses": 12, "uses_taken": 12}
    assert run(licence_balances.uses, palm_oil(), balances=balance_after("1000", 11)) == []


def test_lic008_quantity_beyond_tolerance_rejects() -> None:
    (finding,) = run(
        licence_balances.quantity, palm_oil("20000"), balances=balance_after("110000", 1)
    )
    assert finding.severity is Severity.REJECT
    assert finding.evidence["declared"] == "20000"
    assert finding.evidence["remaining"] == "10000"
    assert finding.evidence["limit_remaining"] == "16000.00"


def test_lic008_overshipment_within_tolerance_is_noted() -> None:
    (finding,) = run(
        licence_balances.quantity, palm_oil("14000"), balances=balance_after("110000", 1)
    )
    assert finding.severity is Severity.INFO
    assert finding.evidence["tolerance"] == "0.05"


def test_lic008_quantity_not_in_the_licence_unit() -> None:
    decl = palm_oil()
    liquid = decl.items[0].model_copy(
        update={"quantity": kg("100", "LTR"), "statutory_quantity": None, "net_mass": None}
    )
    (finding,) = run(licence_balances.quantity, declaration(liquid, departure_country="MY"))
    assert finding.severity is Severity.DOCUMENTS
    assert finding.evidence == {"licence": PALM, "unit": "KGM"}


def test_a_context_given_its_balances_keeps_its_claims_and_sees_the_new_balances() -> None:
    """The pipeline builds a draft context to find the draws, then the same one with the
    locked balances: the claims are not worked out twice, the balance rules see the balances."""
    draft = context(palm_oil())
    draws = declaration_draws(draft)
    assert [d.key for d in draws] == [licence_key(PALM)]
    final = draft.with_balances(balance_after("1000", 12))
    assert final.balances == balance_after("1000", 12) and draft.balances == {}
    assert licence_claims(final) is licence_claims(draft)  # memoised once, shared
    assert licence_balances.uses(final) and not licence_balances.uses(draft)
    assert declaration_draws(final) == draws
    assert declaration_draws(final) is draws  # worked out once per context, kept with the claims
