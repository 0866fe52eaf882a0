"""DOC-001: documents required by measure conditions."""

from __future__ import annotations

import pytest

from edi.model import DocumentKind
from rules.context import MissingAction, RequiredDocument
from rules.controls.documents import required_documents
from rules.findings import Severity

from .builders import certificate, context, declaration, doc, item, kg, licence, usd

PALM_OIL = item(
    1,
    "1511100000",
    quantity=kg("20000"),
    statutory_quantity=kg("20000"),
    gross_mass=kg("20500"),
    net_mass=kg("20000"),
    unit_price=usd("0.99"),
    value=usd("19800.00"),
    origin_country="MY",
)
LICENCE_7 = RequiredDocument(("7",), MissingAction.DOCUMENTS_REQUIRED, "automatic import licence")


def test_registered_licence_cited_as_911_satisfies_its_type_code() -> None:
    palm = PALM_OIL.model_copy(update={"documents": (licence("26-AA-310045"),)})
    assert required_documents(context(declaration(palm), required={1: (LICENCE_7,)})) == []


def test_header_document_with_the_national_code_satisfies() -> None:
    decl = declaration(PALM_OIL, documents=(doc(DocumentKind.LICENCE, "PAPER-1", code="7"),))
    assert required_documents(context(decl, required={1: (LICENCE_7,)})) == []


def test_certificate_in_the_registry_stands_for_its_document_code() -> None:
    fish = item(documents=(certificate(),), preference="ACFTA")
    proof = RequiredDocument(("Y", "E"), MissingAction.OTHER_RATE, "ACFTA agreement rate")
    assert required_documents(context(declaration(fish), required={1: (proof,)})) == []


def test_missing_licence_holds_the_declaration_with_evidence() -> None:
    (finding,) = required_documents(context(declaration(PALM_OIL), required={1: (LICENCE_7,)}))
    assert finding.rule_id == "DOC-001"
    assert finding.severity is Severity.DOCUMENTS
    assert finding.item_sequence == 1
    assert finding.evidence["required_codes"] == ("7",)
    assert finding.evidence["presented_codes"] == ()
    assert finding.evidence["commodity_code"] == "1511100000"
    assert "automatic import licence" in finding.message_en


@pytest.mark.parametrize(
    ("action", "severity"),
    [
        (MissingAction.OTHER_RATE, Severity.INFO),
        (MissingAction.DOCUMENTS_REQUIRED, Severity.DOCUMENTS),
        (MissingAction.REJECT, Severity.REJECT),
    ],
)
def test_severity_follows_the_condition_action(action: MissingAction, severity: Severity) -> None:
    requirement = RequiredDocument(("A",), action, "inspection certificate")
    (finding,) = required_documents(context(declaration(PALM_OIL), required={1: (requirement,)}))
    assert finding.severity is severity
    assert finding.evidence["action"] == action.value


def test_requirements_for_items_not_declared_are_ignored() -> None:
    assert required_documents(context(declaration(PALM_OIL), required={9: (LICENCE_7,)})) == []
