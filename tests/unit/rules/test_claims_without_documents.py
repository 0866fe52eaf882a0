"""A declaration that cites no document claims nothing and draws on no ledger (issue 15).

``rules.claims`` answers such a declaration without searching its items for claims; these
tests hold that answer to what the full search finds, and hold the shortcut to declarations
that really cite nothing: a document in the header alone, or in one item alone, still claims.
"""

from __future__ import annotations

from typing import Any

import pytest

from edi.model import Declaration
from rules import claims
from rules.claims import certificate_claims, declaration_draws, licence_claims
from rules.engine import usable_draws

from .builders import certificate, context, declaration, item, licence

PALM = "26-AA-310045"  # a sample licence for 1511100000 (tests/unit/rules/test_controls_licences)

CITING_NOTHING = {
    "one item": declaration(item()),
    "preference claimed, no certificate": declaration(item(preference="ACFTA")),
    "three items, one claiming a preference": declaration(
        item(), item(sequence=2, preference="ACFTA"), item(sequence=3, code="1511100000")
    ),
}


@pytest.mark.parametrize("decl", CITING_NOTHING.values(), ids=CITING_NOTHING.keys())
def test_no_document_no_claim_and_the_full_search_agrees(
    decl: Declaration, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = context(decl)
    assert claims.cites_no_document(fast)
    assert declaration_draws(fast) == ()
    assert licence_claims(fast) == ()
    assert certificate_claims(fast) == ()
    assert usable_draws(fast, ()) == ()
    # The full search, the shortcut switched off, finds the same nothing.
    monkeypatch.setattr(claims, "cites_no_document", lambda _context: False)
    full = context(decl)
    assert licence_claims(full) == ()
    assert certificate_claims(full) == ()
    assert declaration_draws(full) == ()


def _draws_of(decl: Declaration) -> tuple[Any, ...]:
    ctx = context(decl)
    assert not claims.cites_no_document(ctx)
    return declaration_draws(ctx)


def test_a_header_certificate_serves_the_items_claiming_its_agreement() -> None:
    decl = declaration(item(preference="ACFTA"), documents=(certificate(),))
    ctx = context(decl)
    assert [c.number for c in certificate_claims(ctx)] == ["E261234567890123"]
    assert [d.key for d in _draws_of(decl)] == ["certificate:E261234567890123:1"]


def test_a_certificate_cited_by_one_item_only_is_claimed() -> None:
    decl = declaration(item(), item(sequence=2, preference="ACFTA", documents=(certificate(),)))
    assert [c.item.sequence for c in certificate_claims(context(decl))] == [2]
    assert [d.document for d in _draws_of(decl)] == ["E261234567890123"]


def test_a_licence_cited_by_one_item_or_in_the_header_is_drawn_on() -> None:
    palm = item(code="1511100000", quantity=None, statutory_quantity=None)
    in_item = declaration(palm.model_copy(update={"documents": (licence(PALM),)}))
    in_header = declaration(palm, documents=(licence(PALM),))
    for decl in (in_item, in_header):
        assert [c.number for c in licence_claims(context(decl))] == [PALM]
        assert [d.key for d in _draws_of(decl)] == [f"licence:{PALM}"]
