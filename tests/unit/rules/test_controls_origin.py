"""COO-001 … COO-009: certificates of origin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from edi.model import Declaration, PartyRole
from rules.claims import certificate_line_allowance, certificate_line_key, declaration_draws
from rules.controls import origin, origin_goods
from rules.controls.origin_goods import normalise_name
from rules.findings import Finding, Rule, Severity
from rules.ledger import LedgerState
from rules.registry import CertificateStatus, Registries, RegistryRecord

from .builders import (
    NINGBO,
    SAMPLE_REGISTRIES,
    SHANGHAI,
    certificate,
    context,
    declaration,
    item,
    kg,
    party,
)

FORM_E = "E261234567890123"
ALL = (*origin.RULES, *origin_goods.RULES)


def pangasius(**fields: Any) -> Declaration:
    """Sample 01's first item: ACFTA claimed, Form E cited at item level."""
    item_fields: dict[str, Any] = {"documents": (certificate(),), "preference": "ACFTA"}
    item_fields.update(fields.pop("item", {}))
    return declaration(item(**item_fields), **fields)


def run(rule: Rule, decl: Declaration, **kwargs: Any) -> list[Finding]:
    return rule(context(decl, **kwargs))


def with_certificate(**changes: Any) -> Registries:
    records = [r for r in SAMPLE_REGISTRIES.certificates.values() if r.number != FORM_E]
    changed = SAMPLE_REGISTRIES.certificates[FORM_E].model_copy(update=changes)
    rest: list[RegistryRecord] = [
        *SAMPLE_REGISTRIES.licences.values(),
        *(m for ms in SAMPLE_REGISTRIES.memberships.values() for m in ms),
        *(t for ts in SAMPLE_REGISTRIES.traders.values() for t in ts),
    ]
    return Registries.from_records([*records, changed, *rest])


def test_valid_form_e_passes_every_origin_rule() -> None:
    ctx = context(pangasius())
    assert [f for rule in ALL for f in rule(ctx)] == []
    (draw,) = declaration_draws(ctx)
    assert (draw.key, draw.quantity, draw.uses) == (
        certificate_line_key(FORM_E, 1),
        Decimal(8000),
        0,
    )


def test_header_certificate_applies_to_items_claiming_its_agreement() -> None:
    decl = declaration(item(preference="ACFTA"), documents=(certificate(),))
    assert [f for rule in ALL for f in run(rule, decl)] == []


def test_coo001_preference_without_certificate() -> None:
    (finding,) = run(origin.cited, declaration(item(preference="ACFTA")))
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"preference": "ACFTA", "origin": "VN"}


def test_coo002_unknown_certificate() -> None:
    decl = pangasius(item={"documents": (certificate("E269999999999999"),)})
    (finding,) = run(origin.registered, decl)
    assert finding.evidence == {"certificate": "E269999999999999", "agreement": "ACFTA"}


def test_coo002_cancelled_certificate() -> None:
    registries = with_certificate(status=CertificateStatus.CANCELLED)
    (finding,) = run(origin.registered, pangasius(), registries=registries)
    assert finding.evidence == {"certificate": FORM_E, "status": "cancelled"}


def test_coo003_claimed_agreement_differs() -> None:
    (finding,) = run(origin.agreement, pangasius(item={"preference": "RCEP"}))
    assert finding.evidence["claimed"] == ("ACFTA", "RCEP")
    assert finding.evidence["certificate_agreement"] == "ACFTA"


def test_coo004_not_a_member_on_the_date() -> None:
    registries = with_certificate(agreement="RCEP")
    decl = pangasius(item={"documents": (certificate(agreement="RCEP"),), "preference": "RCEP"})
    assert run(origin.membership, decl, registries=registries) == []  # VN in RCEP since 2022
    (finding,) = run(origin.membership, decl, registries=registries, as_of=date(2021, 12, 31))
    assert finding.evidence["country"] == "VN"
    assert finding.evidence["membership_periods"] == ("2022-01-01..",)


def test_coo004_origin_is_not_the_issuing_country() -> None:
    (finding,) = run(origin.membership, pangasius(item={"origin_country": "TH"}))
    assert finding.evidence == {"certificate": FORM_E, "origin": "TH", "issuing_country": "VN"}


def test_coo005_expired_certificate() -> None:
    decl = pangasius(item={"documents": (certificate("E251111111111111"),)})
    (finding,) = run(origin_goods.validity, decl)
    assert finding.evidence["valid_to"] == "2026-05-31"
    assert finding.evidence["as_of"] == "2026-11-28"


def test_coo005_declared_before_issue() -> None:
    (finding,) = run(origin_goods.validity, pangasius(), as_of=date(2026, 10, 31))
    assert finding.evidence["issue_date"] == "2026-11-01"


def test_coo006_goods_not_on_the_certificate() -> None:
    (finding,) = run(origin_goods.goods, pangasius(item={"code": "0307430000"}))
    assert finding.evidence["certificate_codes"] == ("030462", "030617")


def test_coo007_line_exhausted_by_earlier_declarations() -> None:
    line = SAMPLE_REGISTRIES.certificates[FORM_E].lines[0]
    state = LedgerState(certificate_line_allowance(line)).reserve("EARLIER", Decimal(20000), 0)
    assert isinstance(state, LedgerState)
    balances = {certificate_line_key(FORM_E, 1): state.balance}
    (finding,) = run(origin_goods.quantity, pangasius(), balances=balances)
    assert finding.evidence["declared"] == "8000"
    assert finding.evidence["remaining"] == "4000"
    assert finding.evidence["certified"] == "24000"


def test_coo007_quantity_not_in_the_certificate_unit() -> None:
    decl = pangasius(
        item={"quantity": kg("10", "TNE"), "statutory_quantity": None, "net_mass": None}
    )
    findings = run(origin_goods.quantity, decl)
    assert [f.evidence for f in findings] == [{"certificate": FORM_E, "line": 1}]


def test_coo008_exporter_differs() -> None:
    decl = pangasius(
        parties=(
            party(PartyRole.CONSIGNEE, SHANGHAI),
            party(PartyRole.OVERSEAS_CONSIGNOR, name="MEKONG FISH CO"),
        )
    )
    (finding,) = run(origin_goods.exporter, decl)
    assert finding.evidence["certificate_exporter"] == "VIETNAM SEAFOOD EXPORT JSC"
    assert finding.evidence["declared_exporter"] == "MEKONG FISH CO"


def test_coo008_names_compare_after_normalisation() -> None:
    assert normalise_name("Vietnam  Seafood Export, J.S.C") != normalise_name("X")
    assert normalise_name("vietnam seafood-export jsc.") == "VIETNAM SEAFOOD EXPORT JSC"


def test_coo009_importer_differs() -> None:
    decl = pangasius(
        parties=(
            party(PartyRole.CONSIGNEE, NINGBO),
            party(PartyRole.OVERSEAS_CONSIGNOR, name="VIETNAM SEAFOOD EXPORT JSC"),
        )
    )
    (finding,) = run(origin_goods.importer, decl)
    assert finding.evidence == {
        "certificate": FORM_E,
        "certificate_importer": SHANGHAI,
        "declared_importer": NINGBO,
    }
