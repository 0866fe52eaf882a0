"""Whose a declaration is: the trader it is for, recorded at registration for tenancy.

The trader is the domestic party: the consignee (or importer) of an import, the consignor
(or exporter) of an export, identified by its USCC, else its EORI, else its customs code —
the party ids a trader subject is registered with. A broker that lodges it is its sender.
"""

from __future__ import annotations

from edi.model import Declaration, Direction
from edi.model.parties import IdentifierScheme, PartyRole

_SCHEMES = (IdentifierScheme.USCC, IdentifierScheme.EORI, IdentifierScheme.CUSTOMS_CODE)


def trader_of(declaration: Declaration) -> str | None:
    """The domestic trader's party id, or None when the declaration names none."""
    roles = (
        (PartyRole.CONSIGNEE, PartyRole.IMPORTER)
        if declaration.direction is Direction.IMPORT
        else (PartyRole.CONSIGNOR, PartyRole.EXPORTER)
    )
    for scheme in _SCHEMES:
        for role in roles:
            party = declaration.party(role)
            if party is not None and (value := party.identifier(scheme)):
                return value
    return None


def exporter_uscc(declaration: Declaration) -> str | None:
    """The USCC (统一社会信用代码) of an export's consignor (境内发货人), else of its exporter:
    the id the tax authority knows the exporter by. None when neither has one (an EORI or a
    customs code is not a USCC)."""
    for role in (PartyRole.CONSIGNOR, PartyRole.EXPORTER):
        party = declaration.party(role)
        if party is not None and (value := party.identifier(IdentifierScheme.USCC)):
            return value
    return None
