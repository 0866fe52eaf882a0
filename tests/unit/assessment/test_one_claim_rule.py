"""The agreement rate and the certificate controls read claims by one rule (tariffs.preference).

Whatever the declaration cites, an item assessed at an agreement rate is an item the
certificate controls claim (checked by COO-002…009, drawn on the certificate line) and whose
certificate they do not refuse. Checked over every combination of where the certificate is
cited, what agreement its document names, whether the registry knows it, and what the item
claims; then the cases that used to slip through, one by one.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from clearance.assessment import certificates
from clearance.assessment.adapter import assessment_request
from edi.model import Declaration, DocumentKind, DocumentReference
from rules.claims import certificate_claims
from tariffs import (
    DeclarationAssessment,
    RegimeProfile,
    Schedule,
    assess_declaration,
    load_regime,
    load_schedule,
)
from tests.unit.rules.builders import (
    AS_OF,
    NUMBER,
    SAMPLE_REGISTRIES,
    context,
    declaration,
    doc,
    item,
)

ROOT = Path(__file__).resolve().parents[3]
REGISTERED = "E261234567890123"  # ACFTA, VN, lines 030462 and 030617
UNKNOWN = "E269999999999999"
RCEP_CERTIFICATE = "JP26RCEP0004521"


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return load_schedule(ROOT / "samples" / "tariffs" / "cn-extract.jsonl")


@pytest.fixture(scope="module")
def cn() -> RegimeProfile:
    return load_regime("cn")


def proof(number: str, agreement: str | None) -> DocumentReference:
    return doc(DocumentKind.CERTIFICATE_OF_ORIGIN, number, code="861", agreement=agreement)


def assess(decl: Declaration, schedule: Schedule, cn: RegimeProfile) -> DeclarationAssessment:
    """What the tariff step assesses: the request on the controls' claims, refusals withdrawn."""
    request = assessment_request(decl, AS_OF)
    request, _ = certificates.claimed(request, decl, NUMBER, AS_OF, SAMPLE_REGISTRIES)
    return assess_declaration(request, schedule, cn)


def agreement_rated(assessment: DeclarationAssessment) -> set[int]:
    return {
        i.sequence
        for i in assessment.items
        if i.rate is not None and i.rate.measure_type == "conventional"
    }


COMBINATIONS = list(
    itertools.product(
        ("header", "item"),  # where the certificate is cited
        (REGISTERED, UNKNOWN, RCEP_CERTIFICATE),  # registered ACFTA, unknown, registered RCEP
        ("ACFTA", "RCEP", None),  # the agreement its document names
        ("ACFTA", "RCEP", None),  # what the item claims
    )
)


@pytest.mark.parametrize(("where", "number", "named", "claim"), COMBINATIONS)
def test_an_item_at_an_agreement_rate_is_claimed_checked_and_not_refused(
    schedule: Schedule,
    cn: RegimeProfile,
    where: str,
    number: str,
    named: str | None,
    claim: str | None,
) -> None:
    cited = (proof(number, named),)
    # Item 1 carries the claim (and the certificate, when cited on the item); item 2, the same
    # goods, claims nothing and cites nothing itself.
    first = item(preference=claim, documents=cited if where == "item" else ())
    decl = declaration(first, item(2), documents=cited if where == "header" else ())
    rated = agreement_rated(assess(decl, schedule, cn))
    claimed = {c.item.sequence for c in certificate_claims(context(decl))}
    refused = certificates.refusals(decl, NUMBER, AS_OF, SAMPLE_REGISTRIES)
    assert rated <= claimed - set(refused)
    assert 2 not in rated  # claims nothing: the base rate, whatever the header cites


def test_a_registered_certificate_naming_no_agreement_serves_the_item_claiming_its_own(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    # As a DecMessage LicenseDocu (DocuCode Y) arrives: no agreement on the document.
    decl = declaration(item(preference="ACFTA"), documents=(proof(REGISTERED, None),))
    assert agreement_rated(assess(decl, schedule, cn)) == {1}
    (claim,) = certificate_claims(context(decl))
    assert claim.number == REGISTERED and claim.line is not None


def test_a_document_naming_no_agreement_does_not_serve_a_claim_the_registry_contradicts(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    # The registry knows the cited certificate as RCEP; the item claims ACFTA. The adapter
    # alone would count the document (it names no agreement); the controls see no ACFTA
    # certificate (COO-001), so the tariff must not grant ACFTA either.
    decl = declaration(item(preference="ACFTA"), documents=(proof(RCEP_CERTIFICATE, None),))
    assert agreement_rated(assess(decl, schedule, cn)) == set()
    assert certificate_claims(context(decl)) == ()


def test_a_certificate_cited_on_the_item_is_its_claim(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    decl = declaration(item(documents=(proof(REGISTERED, "ACFTA"),)))
    assert agreement_rated(assess(decl, schedule, cn)) == {1}
    assert [c.item.sequence for c in certificate_claims(context(decl))] == [1]
