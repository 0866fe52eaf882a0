"""The canonical declaration model that the declaration channels (EDIFACT, XML) map into.

Frozen pydantic v2 models; money and rates are ``Decimal``; codes are validated strings with
leading zeros kept. ``Declaration.model_dump_json()`` / ``model_validate_json()`` round-trip
losslessly. X12 309 manifests are not declarations: they map into
:class:`edi.x12.Manifest`.
"""

from edi.model.declaration import (
    Charge,
    ChargeMark,
    Declaration,
    DeclarationFunction,
    DeclarationType,
    Direction,
    GoodsItem,
    Transport,
)
from edi.model.documents import DocumentKind, DocumentReference
from edi.model.parties import IdentifierScheme, Party, PartyIdentifier, PartyRole
from edi.model.values import Amount, Quantity

__all__ = [
    "Amount",
    "Charge",
    "ChargeMark",
    "Declaration",
    "DeclarationFunction",
    "DeclarationType",
    "Direction",
    "DocumentKind",
    "DocumentReference",
    "GoodsItem",
    "IdentifierScheme",
    "Party",
    "PartyIdentifier",
    "PartyRole",
    "Quantity",
    "Transport",
]
