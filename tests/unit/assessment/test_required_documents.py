"""The decision's required documents, read from the assessment's unmet measure conditions."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from clearance.decisions.context import required_documents
from rules import MissingAction, RequiredDocument
from tariffs.results import ConditionFinding

LICENCE = ConditionFinding("M-7", "LIC", "documents_required", ("7",), "automatic import licence")
PROOF = ConditionFinding("M-Y", "PRF", "other_rate", ("Y", "E"), "proof of origin")
INFORMATIVE = ConditionFinding("M-X", "INF", "no_action_known", ("X",), "not an action")
NO_DOCUMENT = ConditionFinding("M-0", "LIC", "reject", (), "no document names it")


def _assessment(*conditions: tuple[ConditionFinding, ...]) -> SimpleNamespace:
    items = [
        SimpleNamespace(sequence=n, conditions=c, total=Decimal(0))
        for n, c in enumerate(conditions, 1)
    ]
    return SimpleNamespace(items=items, currency="CNY")


def test_only_items_with_unmet_conditions_require_documents() -> None:
    assessment = _assessment((), (LICENCE,), (), (PROOF, INFORMATIVE, NO_DOCUMENT), ())
    assert required_documents(assessment) == {
        2: (
            RequiredDocument(("7",), MissingAction.DOCUMENTS_REQUIRED, "automatic import licence"),
        ),
        4: (RequiredDocument(("Y", "E"), MissingAction.OTHER_RATE, "proof of origin"),),
    }


def test_no_condition_and_no_assessment_require_nothing() -> None:
    assert required_documents(_assessment((), (), ())) == {}
    assert required_documents(_assessment((INFORMATIVE,), (NO_DOCUMENT,))) == {}
    assert required_documents(None) == {}
