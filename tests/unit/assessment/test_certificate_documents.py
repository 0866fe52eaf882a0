"""The tariff step asks for certificate refusals only when the declaration cites a document.

``clearance.assessment.certificates.cites_documents`` lets the step skip the registries and the
validity rules: these tests pin its premise (without a cited document there is no certificate
claim and nothing to refuse, whatever preference is claimed) and that every place a document can
be cited makes it ask.
"""

from __future__ import annotations

import pytest

from clearance.assessment.certificates import cites_documents, refusals
from edi.model import Declaration, Direction, DocumentKind
from rules.claims import certificate_claims
from tests.unit.rules.builders import (
    AS_OF,
    NUMBER,
    SAMPLE_REGISTRIES,
    certificate,
    context,
    declaration,
    doc,
    item,
    licence,
)

WITHOUT_DOCUMENTS = {
    "no preference": declaration(item()),
    "preference claimed": declaration(item(preference="ACFTA"), item(2, preference="RCEP")),
    "export": declaration(item(origin_country=None), direction=Direction.EXPORT),
}


@pytest.mark.parametrize("decl", WITHOUT_DOCUMENTS.values(), ids=WITHOUT_DOCUMENTS.keys())
def test_without_a_cited_document_nothing_can_be_refused(decl: Declaration) -> None:
    assert not cites_documents(decl)
    assert certificate_claims(context(decl)) == ()
    assert refusals(decl, NUMBER, AS_OF, SAMPLE_REGISTRIES) == {}


CITING = {
    "certificate in the header": declaration(
        item(preference="ACFTA"), documents=(certificate("E269999999999999"),)
    ),
    "certificate in the second item": declaration(
        item(), item(2, preference="ACFTA", documents=(certificate("E269999999999999"),))
    ),
    "licence in an item": declaration(item(documents=(licence("L1"),))),
    "other document in the header": declaration(
        item(), documents=(doc(DocumentKind.OTHER, "INV-1", code="380"),)
    ),
}


@pytest.mark.parametrize("decl", CITING.values(), ids=CITING.keys())
def test_any_cited_document_makes_the_step_ask(decl: Declaration) -> None:
    assert cites_documents(decl)


def test_a_cited_certificate_is_still_refused_through_the_step_s_check() -> None:
    decl = CITING["certificate in the second item"]
    assert cites_documents(decl)
    assert list(refusals(decl, NUMBER, AS_OF, SAMPLE_REGISTRIES)) == [2]
