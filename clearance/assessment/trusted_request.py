"""The assessment request built without pydantic's validation, where its checks are known to pass.

Validating the request (some twenty models a five-item declaration: items, values, quantities,
documents) was the largest part of the tariff step: pydantic-core calls back into Python for
every ``Decimal`` constraint and every field validator. The canonical declaration has been
validated already; what the request's models add are their own constraints (patterns, lengths,
non-negative finite amounts, known units). :func:`trusted_request` checks exactly those in
Python and, when every value passes *and* has the exact type validation would return, builds
the same models directly (the fields pydantic would store, the same fields set). Anything else —
a negative value, a ``C&F`` incoterm to normalise, a lower-case currency, a duplicate item
number — makes it return ``None``, and the adapter validates as before, so a bad declaration
gets the same ``ValidationError`` (the same TAR-001 words).

The checks are never looser than the models': a value they accept, validation accepts and
returns unchanged (pinned by ``tests/unit/assessment/test_trusted_request.py``, which compares
both paths field by field, including values that must decline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from edi.model import Declaration, DocumentReference, GoodsItem
from edi.model import Quantity as CanonicalQuantity
from tariffs import (
    UNITS,
    AssessmentRequest,
    Charge,
    ChargeMark,
    Document,
    Incoterm,
    ItemRequest,
    Money,
    Quantity,
)

_M = TypeVar("_M", bound=BaseModel)
#: The adapter's translation of a canonical unit code to the engine's symbol.
UnitSymbol = Callable[[str], str | None]
#: The adapter's reading of the agreement an item claims (``adapter.item_claim``).
ItemClaim = Callable[[GoodsItem], str | None]

# ASCII classes, full match: never looser than the models' patterns (whose \d also takes other
# digits, and whose $ is the end of the text).
_CODE = re.compile(r"[0-9]{6}(?:[0-9]{2}){0,2}").fullmatch
_COUNTRY = re.compile(r"[A-Z]{2}").fullmatch
_CURRENCY = re.compile(r"[A-Z]{3}").fullmatch
_INCOTERMS: dict[str, Incoterm] = {t.value: t for t in Incoterm}
_MARKS: dict[str, ChargeMark] = {m.value: m for m in ChargeMark}
_DIRECTIONS = frozenset({"import", "export"})
_ZERO = Decimal(0)

_new = object.__new__
# BaseModel's own slots, set through their descriptors (a third cheaper than setattr by name).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class _DeclinedError(Exception):
    """A value the fast path does not vouch for: validate instead."""


def _model(cls: type[_M], values: dict[str, Any], given: frozenset[str]) -> _M:
    """``cls`` holding ``values`` (every field, in field order), as validation leaves it.

    The four slots are what ``BaseModel.model_construct`` sets; ``given`` is the fields the
    caller passed (validation's ``model_fields_set``), the rest being defaults.
    """
    model = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, set(given))
    _set_extra(model, None)
    _set_private(model, None)
    return model


_MONEY_GIVEN = frozenset({"amount", "currency"})
_QUANTITY_GIVEN = frozenset({"value", "unit", "kind"})
_DOCUMENT_GIVEN = frozenset({"code", "agreement", "reference"})
_CHARGE_GIVEN = frozenset({"mark", "value", "currency"})
_ITEM_GIVEN = frozenset(
    {"sequence", "code", "origin", "destination", "value", "quantities", "documents", "preference"}
)
_REQUEST_GIVEN = frozenset(
    {
        "reference",
        "direction",
        "as_of",
        "incoterm",
        "invoice_currency",
        "freight",
        "insurance",
        "other_charges",
        "gross_mass_kg",
        "items",
    }
)


def trusted_request(
    declaration: Declaration,
    as_of: date,
    unit_symbol: UnitSymbol,
    document_codes: dict[Any, str],
    item_claim: ItemClaim,
) -> AssessmentRequest | None:
    """The request the adapter's validated path would build, or None to validate instead.

    ``unit_symbol``, ``document_codes`` and ``item_claim`` are the adapter's own translations,
    so both paths read the declaration the same way (the same claimed agreement per item).
    """
    try:
        return _request(declaration, as_of, unit_symbol, document_codes, item_claim)
    except _DeclinedError:
        return None


def _request(
    declaration: Declaration,
    as_of: date,
    unit_symbol: UnitSymbol,
    document_codes: dict[Any, str],
    item_claim: ItemClaim,
) -> AssessmentRequest:
    if as_of.__class__ is not date:  # a datetime is a date too, but validation refuses most
        raise _DeclinedError
    direction = declaration.direction.value
    if direction.__class__ is not str or direction not in _DIRECTIONS:
        raise _DeclinedError
    term = declaration.incoterm or "CIF"
    incoterm = _INCOTERMS.get(term) if term.__class__ is str else None
    if incoterm is None:  # aliases (C&F) and unknown terms: validation says what to do
        raise _DeclinedError
    header = tuple([_document(d, document_codes) for d in declaration.documents])
    gross = declaration.gross_mass
    gross_kg = _amount(gross.value) if gross is not None and gross.unit == "KGM" else None
    items = tuple(
        [
            _item(declaration, i, header, unit_symbol, document_codes, item_claim)
            for i in declaration.items
        ]
    )
    if not items or len({i.sequence for i in items}) != len(items):
        raise _DeclinedError
    values: dict[str, Any] = {
        "reference": _text(declaration.sender_reference, 64),
        "direction": direction,
        "as_of": as_of,
        "incoterm": incoterm,
        "invoice_currency": _currency(declaration.invoice_currency),
        "freight": _charge(declaration.freight),
        "insurance": _charge(declaration.insurance),
        "other_charges": _charge(declaration.other_charges),
        "gross_mass_kg": gross_kg,
        "items": items,
        "exhausted_quotas": frozenset(),
    }
    return _model(AssessmentRequest, values, _REQUEST_GIVEN)


def _item(
    declaration: Declaration,
    item: GoodsItem,
    header: tuple[Document, ...],
    unit_symbol: UnitSymbol,
    document_codes: dict[Any, str],
    item_claim: ItemClaim,
) -> ItemRequest:
    value = item.value
    if value is None:
        raise _DeclinedError  # the adapter's words: NotAssessableError
    origin = item.origin_country or (
        "CN" if declaration.direction.value == "export" else declaration.departure_country
    )
    sequence = item.sequence
    if sequence.__class__ is not int or sequence < 1:
        raise _DeclinedError
    code = item.commodity_code
    if code.__class__ is not str or not _CODE(code):
        raise _DeclinedError
    quantities = []
    for kind, quantity in (
        ("statutory", item.statutory_quantity),
        ("second_statutory", item.second_statutory_quantity),
        ("net", item.net_mass),
        ("declared", item.quantity),
    ):
        if quantity is not None and (q := _quantity(kind, quantity, unit_symbol)) is not None:
            quantities.append(q)
    documents = header
    if item.documents:
        documents = header + tuple([_document(d, document_codes) for d in item.documents])
    money = _model(
        Money,
        {"amount": _amount(value.value), "currency": _currency(value.currency, True)},
        _MONEY_GIVEN,
    )
    values = {
        "sequence": sequence,
        "code": code,
        "origin": _country(origin, True),
        "destination": _country(item.destination_country or declaration.destination_country),
        "value": money,
        "quantities": tuple(quantities),
        "documents": documents,
        "preference": _text(item_claim(item), 16),
        "additional_codes": (),
    }
    return _model(ItemRequest, values, _ITEM_GIVEN)


def _quantity(kind: str, quantity: CanonicalQuantity, unit_symbol: UnitSymbol) -> Quantity | None:
    symbol = unit_symbol(quantity.unit)
    if symbol is None:
        return None  # as the adapter: a unit the engine does not know is left out
    if symbol.__class__ is not str or symbol not in UNITS:
        raise _DeclinedError
    values = {"value": _amount(quantity.value), "unit": symbol, "kind": kind}
    return _model(Quantity, values, _QUANTITY_GIVEN)


def _document(document: DocumentReference, document_codes: dict[Any, str]) -> Document:
    code = document_codes.get(document.kind) or document.code or document.kind.value[:8]
    if code.__class__ is not str or not 1 <= len(code) <= 8:
        raise _DeclinedError
    values = {
        "code": code,
        "agreement": _text(document.agreement, 16),
        "reference": _text(document.number[:64], 64),
    }
    return _model(Document, values, _DOCUMENT_GIVEN)


def _charge(charge: Any) -> Charge | None:
    if charge is None:
        return None
    mark = _MARKS.get(charge.mark.value)
    currency = _currency(charge.currency)
    if mark is None or (mark is ChargeMark.RATE and currency is not None):
        raise _DeclinedError
    values = {"mark": mark, "value": _amount(charge.value), "currency": currency}
    return _model(Charge, values, _CHARGE_GIVEN)


def _amount(value: Any) -> Decimal:
    """A finite, non-negative ``Decimal`` (validation returns the same object)."""
    if value.__class__ is not Decimal or not value.is_finite() or value < _ZERO:
        raise _DeclinedError
    return value


def _text(value: Any, longest: int) -> str | None:
    if value is None:
        return None
    if value.__class__ is not str or len(value) > longest:
        raise _DeclinedError
    return value


def _currency(value: Any, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if value.__class__ is not str or not _CURRENCY(value):
        raise _DeclinedError
    return value


def _country(value: Any, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if value.__class__ is not str or not _COUNTRY(value):
        raise _DeclinedError
    return value
