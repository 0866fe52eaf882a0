"""Declarations found by filters, a page at a time (``GET /v1/declarations``).

The page is keyed by the declaration's row id, newest first: the cursor is the id of the last
declaration returned, so a declaration registered while a client pages never shifts the pages
it has not read yet. Every filter is ANDed with the actor's tenancy filter (:mod:`.access`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field
from sqlalchemy import ColumnElement, or_, select

from clearance.app.access import Permission, declarations_visible, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError
from clearance.app.queries import summary
from clearance.app.views import DeclarationSummary, View
from clearance.store.tables import Declaration, DeclarationItem

MAX_PAGE = 500


#: The statuses a declaration can be in (docs/lifecycle.md).
StatusName = Literal[
    "registered", "documents_required", "under_control", "rejected", "released", "invalidated"
]
#: The lanes a decision assigns.
LaneName = Literal["green", "blue", "yellow", "red"]
DirectionName = Literal["import", "export"]
#: A customs office code: 4 digits (China) or an EU office reference's first 8 characters.
OFFICE_PATTERN = r"^[A-Z0-9]{2,8}$"
#: A party id as a sender names itself (UNB, ISA, an XML or JSON header): ≤ 35 characters,
#: no control character.
PARTY_PATTERN = r"^[^\x00-\x1f\x7f]{1,35}$"


class DeclarationFilter(View):
    """What to look for; every field given narrows the result. A value no declaration can have
    (an unknown status or lane, a malformed office) is refused, not answered with nothing."""

    status: StatusName | None = None
    lane: LaneName | None = None
    direction: DirectionName | None = None
    office: str | None = Field(default=None, pattern=OFFICE_PATTERN)
    #: The sender (trader or broker party id) the declaration was filed by, by either id of
    #: a sender known by two (a DecMessage declarant's USCC or customs code).
    trader: str | None = Field(default=None, pattern=PARTY_PATTERN)
    #: Acceptance date range, both ends included.
    accepted_from: date | None = None
    accepted_to: date | None = None
    #: A commodity code or its leading digits (HS-6, CN-8 …) of any item.
    commodity: str | None = Field(default=None, pattern=r"^\d{2,10}$")


class DeclarationPage(View):
    """One page of declarations, newest first, and the cursor of the next page (None: last)."""

    declarations: list[DeclarationSummary]
    next_cursor: int | None


def search(
    app: Application,
    actor: Actor,
    wanted: DeclarationFilter,
    *,
    before: int | None = None,
    limit: int = 50,
) -> DeclarationPage:
    """Declarations ``actor`` may see that match ``wanted``, older than cursor ``before``."""
    require(actor, Permission.READ)
    if not 1 <= limit <= MAX_PAGE or (before is not None and before < 1):
        raise RefusedError(f"cursor must be ≥ 1 and limit between 1 and {MAX_PAGE}")
    if wanted.accepted_from and wanted.accepted_to and wanted.accepted_from > wanted.accepted_to:
        raise RefusedError("accepted_from is after accepted_to")
    query = select(Declaration).where(declarations_visible(actor), *_conditions(wanted))
    if before is not None:
        query = query.where(Declaration.id < before)
    query = query.order_by(Declaration.id.desc()).limit(limit + 1)
    with app.read() as session:
        rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return DeclarationPage(
            declarations=[summary(row) for row in rows],
            next_cursor=rows[-1].id if more else None,
        )


def _conditions(wanted: DeclarationFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (Declaration.status, wanted.status),
        (Declaration.lane, wanted.lane),
        (Declaration.direction, wanted.direction),
        (Declaration.office, wanted.office),
    ):
        if value is not None:
            conditions.append(column == value)
    if wanted.trader is not None:
        # The sender by either of its ids (a DecMessage declarant's USCC or customs code).
        trader = wanted.trader
        conditions.append(or_(Declaration.sender == trader, Declaration.sender_alias == trader))
    if wanted.accepted_from is not None:
        conditions.append(Declaration.accepted_on >= wanted.accepted_from)
    if wanted.accepted_to is not None:
        conditions.append(Declaration.accepted_on <= wanted.accepted_to)
    if wanted.commodity is not None:
        items = select(DeclarationItem.declaration_id).where(
            DeclarationItem.commodity_code.startswith(wanted.commodity, autoescape=True)
        )
        conditions.append(Declaration.id.in_(items))
    return conditions
