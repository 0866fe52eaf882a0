"""Finding declarations: by number, trader, commodity code, or container and bill of lading.

Always among the declarations the actor may see (:func:`.access.declarations_visible`): an
officer searches its own offices, a trader its own declarations.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy import ColumnElement, exists, or_, select

from clearance.app.access import Permission, declarations_visible, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.queries import summary
from clearance.app.views import DeclarationSummary, View
from clearance.store.tables import Declaration, DeclarationItem

#: What the text is matched against.
SearchField = Literal["number", "trader", "commodity", "transport"]


class Search(View):
    """What to look for: the text and the field; at most ``limit`` declarations, newest first."""

    by: SearchField
    text: str = Field(min_length=1, max_length=70)
    limit: int = Field(default=100, ge=1, le=500)

    @field_validator("text")
    @classmethod
    def _stripped(cls, text: str) -> str:
        stripped = text.strip()
        if not stripped:
            raise ValueError("enter what to search for")
        return stripped


#: How many stored declarations a text search reads at most to find ``limit`` matches.
CANDIDATES = 5000


def search(app: Application, actor: Actor, query: Search) -> list[DeclarationSummary]:
    """The declarations ``actor`` may see that match ``query``, newest first."""
    require(actor, Permission.READ)
    exact = query.by in ("number", "commodity")
    with app.read() as session:
        rows = session.scalars(
            select(Declaration)
            .where(_matches(query), declarations_visible(actor))
            .order_by(Declaration.id.desc())
            .limit(query.limit if exact else CANDIDATES)
        )
        found = [row for row in rows if exact or _named_in(row, query)]
        return [summary(row) for row in found[: query.limit]]


def _named_in(row: Declaration, query: Search) -> bool:
    """Whether a declaration the database found by its text names ``query`` where it should:
    a party's name (part of it) or identifier, or a container or the transport document."""
    needle = query.text.upper()
    content = json.loads(row.canonical)
    if query.by == "trader":
        if row.sender.upper() == needle:
            return True
        return any(
            needle in (party.get("name") or "").upper()
            or any(needle == str(i.get("value", "")).upper() for i in party.get("identifiers", []))
            for party in content.get("parties", [])
        )
    transport = content.get("transport") or {}
    references = [*transport.get("containers", []), transport.get("transport_document")]
    return needle in {str(r).upper() for r in references if r}


def _matches(query: Search) -> ColumnElement[bool]:
    text = query.text
    if query.by == "number":
        # The whole number, or its start (office and year narrow it down).
        return Declaration.number.startswith(text, autoescape=True)
    if query.by == "commodity":
        return exists(
            select(DeclarationItem.id).where(
                DeclarationItem.declaration_id == Declaration.id,
                DeclarationItem.commodity_code.startswith(text, autoescape=True),
            )
        )
    # Traders' names and ids, containers and bills are in the stored canonical declaration
    # (upper case as declared); the sender is also a column.
    needle = text.upper()
    if query.by == "trader":
        return or_(
            Declaration.sender == text, Declaration.canonical.contains(needle, autoescape=True)
        )
    return Declaration.canonical.contains(f'"{needle}"', autoescape=True)  # a whole value
