"""The certificates the assessment withdraws before choosing a preferential rate.

``clearance.assessment.certificates.refusals`` skips the validity rules when no item cites a
certificate: these tests pin that no validity rule can refuse without a certificate claim, and
that a cited certificate is still checked.
"""

from __future__ import annotations

import pytest

from clearance.assessment.certificates import _RULES, refusals
from edi.model import Declaration
from rules.claims import certificate_claims
from rules.controls import run_controls

from .builders import AS_OF, NUMBER, SAMPLE_REGISTRIES, certificate, context, declaration, item

WITHOUT_CLAIMS = {
    "no preference, no certificate": declaration(item()),
    "preference without certificate": declaration(item(preference="ACFTA")),
    "certificate of another agreement in the header": declaration(
        item(preference="RCEP"), documents=(certificate(agreement="ACFTA"),)
    ),
    "header certificate, no preference claimed": declaration(
        item(), documents=(certificate("E269999999999999"),)
    ),
}


@pytest.mark.parametrize("decl", WITHOUT_CLAIMS.values(), ids=WITHOUT_CLAIMS.keys())
def test_no_validity_rule_refuses_without_a_certificate_claim(decl: Declaration) -> None:
    ctx = context(decl)
    assert certificate_claims(ctx) == ()
    assert run_controls(ctx, _RULES) == ()
    assert refusals(decl, NUMBER, AS_OF, SAMPLE_REGISTRIES) == {}


def test_a_cited_unknown_certificate_is_refused() -> None:
    decl = declaration(
        item(preference="ACFTA", documents=(certificate("E269999999999999"),)),
        item(sequence=2),
    )
    found = refusals(decl, NUMBER, AS_OF, SAMPLE_REGISTRIES)
    assert list(found) == [1]
    assert (found[1].certificate, found[1].finding.rule_id) == ("E269999999999999", "COO-002")
