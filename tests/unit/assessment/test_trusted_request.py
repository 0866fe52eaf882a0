"""The assessment request built without validation is the validated one, or is not built.

:func:`clearance.assessment.trusted_request.trusted_request` builds the request's models
directly when its own checks pass. These tests hold it to the validated path
(:func:`clearance.assessment.adapter.validated_request`): where it builds a request, every model
holds the same values of the same types with the same fields set; where validation would refuse
the declaration, normalise a value or raise the adapter's own error, it declines, so the adapter
validates and the declaration gets the same answer as before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from clearance.assessment.adapter import (
    DOCUMENT_CODES,
    NotAssessableError,
    assessment_request,
    item_claim,
    unit_symbol,
    validated_request,
)
from clearance.assessment.trusted_request import trusted_request
from edi.model import Charge, ChargeMark, Declaration, Direction, DocumentKind
from tests.unit.rules.builders import certificate, declaration, doc, item, kg, licence, usd

AS_OF = date(2026, 6, 15)


def _same(fast: Any, slow: Any, where: str = "request") -> None:
    """Same type and value all the way down; for models also the fields set and field order."""
    assert type(fast) is type(slow), where
    if isinstance(slow, BaseModel):
        assert list(fast.__dict__) == list(slow.__dict__), where
        assert fast.model_fields_set == slow.model_fields_set, where
        assert type(fast.model_fields_set) is type(slow.model_fields_set), where
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__, where
        assert fast.__pydantic_private__ == slow.__pydantic_private__, where
        for name, value in slow.__dict__.items():
            _same(fast.__dict__[name], value, f"{where}.{name}")
    elif isinstance(slow, tuple | frozenset):
        assert len(fast) == len(slow), where
        for n, (f, s) in enumerate(
            zip(sorted(fast, key=repr), sorted(slow, key=repr), strict=True)
        ):
            _same(f, s, f"{where}[{n}]")
    else:
        assert fast == slow, where
        assert str(fast) == str(slow), where  # a Decimal's exponent too


BUILT: dict[str, Declaration] = {
    "plain import": declaration(item()),
    "five items, units the engine knows and one it does not": declaration(
        item(1),
        item(2, "8473309000", quantity=kg("12", "PCE"), statutory_quantity=None),
        item(3, "2204210000", quantity=kg("750", "LTR"), second_statutory_quantity=kg("3", "KGM")),
        item(4, "0202300000", quantity=kg("5", "XYZ"), origin_country="AU"),
        item(5, "7201100000", statutory_quantity=kg("1.000", "CN035")),
    ),
    "certificates in the header and the item, a licence": declaration(
        item(1, preference="ACFTA", documents=(certificate("E261"), licence("L1"))),
        item(2, documents=(doc(DocumentKind.OTHER, "INV-1", code="380"),)),
        documents=(certificate(), doc(DocumentKind.OTHER, "X" * 70)),
    ),
    "charges of every mark, gross mass, FOB": declaration(
        item(1),
        item(2, value=usd("0.00")),
        incoterm="FOB",
        invoice_currency="USD",
        freight=Charge(mark=ChargeMark.PER_UNIT, value=Decimal("35"), currency="USD"),
        insurance=Charge(mark=ChargeMark.RATE, value=Decimal("0.3")),
        other_charges=Charge(mark=ChargeMark.TOTAL, value=Decimal("120.50"), currency="EUR"),
        gross_mass=kg("16640"),
    ),
    "export without an origin, destinations": declaration(
        item(1, origin_country=None, destination_country="DE"),
        item(2, origin_country=None),
        direction=Direction.EXPORT,
        destination_country="FR",
        incoterm="CIF",
    ),
    "import valued at the departure country's origin": declaration(
        item(1, origin_country=None), departure_country="TH"
    ),
}


@pytest.mark.parametrize("decl", BUILT.values(), ids=BUILT.keys())
def test_a_trusted_request_is_the_validated_request(decl: Declaration) -> None:
    fast = trusted_request(decl, AS_OF, unit_symbol, DOCUMENT_CODES, item_claim)
    assert fast is not None
    _same(fast, validated_request(decl, AS_OF))
    assert fast.model_dump_json() == validated_request(decl, AS_OF).model_dump_json()
    _same(assessment_request(decl, AS_OF), fast)


def _item_copy(decl: Declaration, **update: Any) -> Declaration:
    """``decl`` with its first item changed, past the canonical model's own validation."""
    first = decl.items[0].model_copy(update=update)
    return decl.model_copy(update={"items": (first, *decl.items[1:])})


PLAIN = declaration(item(1), item(2))
DECLINED: dict[str, tuple[Declaration, date]] = {
    "negative item value": (declaration(item(value=usd("-1.00"))), AS_OF),
    "infinite item value": (
        _item_copy(PLAIN, value=usd("1").model_copy(update={"value": Decimal("Infinity")})),
        AS_OF,
    ),
    "lower-case currency": (
        _item_copy(PLAIN, value=usd("1").model_copy(update={"currency": "usd"})),
        AS_OF,
    ),
    "seven-digit code": (_item_copy(PLAIN, commodity_code="0304620"), AS_OF),
    "non-ASCII digits in the code": (
        _item_copy(PLAIN, commodity_code="０３０４６２００００"),
        AS_OF,
    ),
    "lower-case origin": (_item_copy(PLAIN, origin_country="vn"), AS_OF),
    "preference too long": (_item_copy(PLAIN, preference="P" * 17), AS_OF),
    "no value": (declaration(item(value=None)), AS_OF),
    "no origin anywhere": (declaration(item(origin_country=None), departure_country=None), AS_OF),
    "duplicate item numbers": (PLAIN.model_copy(update={"items": (item(1), item(1))}), AS_OF),
    # The model reads CNF as CFR; only a declaration built without validation still holds it.
    "C&F under its other name": (PLAIN.model_copy(update={"incoterm": "CNF"}), AS_OF),
    "an incoterm the engine does not know": (declaration(item(), incoterm="DAP"), AS_OF),
    "a rate charge with a currency": (
        PLAIN.model_copy(
            update={
                "insurance": Charge.model_construct(
                    mark=ChargeMark.RATE, value=Decimal(1), currency="USD"
                )
            }
        ),
        AS_OF,
    ),
    "negative freight": (
        PLAIN.model_copy(
            update={
                "freight": Charge.model_construct(
                    mark=ChargeMark.TOTAL, value=Decimal(-1), currency="USD"
                )
            }
        ),
        AS_OF,
    ),
    "reference too long": (PLAIN.model_copy(update={"sender_reference": "R" * 65}), AS_OF),
    "document code too long": (
        declaration(
            item(
                documents=(doc(DocumentKind.OTHER, "N1").model_copy(update={"code": "123456789"}),)
            )
        ),
        AS_OF,
    ),
    "agreement too long": (
        declaration(item(documents=(certificate().model_copy(update={"agreement": "A" * 17}),))),
        AS_OF,
    ),
    "a date and time": (PLAIN, datetime(2026, 6, 15, tzinfo=UTC)),
}


@pytest.mark.parametrize("case", DECLINED.values(), ids=DECLINED.keys())
def test_anything_validation_would_change_or_refuse_is_declined(
    case: tuple[Declaration, date],
) -> None:
    decl, as_of = case
    assert trusted_request(decl, as_of, unit_symbol, DOCUMENT_CODES, item_claim) is None
    expected = _outcome(validated_request, decl, as_of)
    got = _outcome(assessment_request, decl, as_of)
    if isinstance(expected, Exception):  # the same error, so the same TAR-001 words
        assert (type(got), str(got)) == (type(expected), str(expected))
    else:  # normalised by validation (C&F): the adapter validated it
        _same(got, expected)


def _outcome(build: Any, decl: Declaration, as_of: date) -> Any:
    try:
        return build(decl, as_of)
    except (ValidationError, NotAssessableError) as exc:
        return exc
