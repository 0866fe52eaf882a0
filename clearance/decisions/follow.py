"""The ledgers and rebate records follow a decision: release consumes, reject gives back.

Invalidation gives back everything the declaration holds: an open reservation (``release``
entries, before release) and a consumed amount (``return`` entries, after release in a listed
case) — :meth:`rules.ledger.LedgerState.give_back`, under the heads' row locks. Its rebate
records not yet transmitted are voided, so they are never sent to the tax authority.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from clearance.ledgers.accounts import Ref, settle
from clearance.rebates import records as rebates
from edi.model import Declaration


def follow(
    session: Session,
    ref: Ref,
    declaration_id: int,
    status: str,
    export_date: date,
    now: datetime,
    assessment: dict[str, Any] | None = None,
    direction: str = "export",
    *,
    holds: bool = True,
    goods: Declaration | None = None,
) -> dict[str, Any]:
    """Consume the reservations on release (and create rebate records); give back on reject;
    on invalidation give back everything and void the rebate records.

    ``holds=False``: the caller knows ``ref`` holds nothing on any ledger (nothing to move).
    ``goods``: the declaration's content when the caller holds it (the rebate records' quantities
    and exporter; read from the store otherwise).
    """
    if status == "released":
        moved = settle(session, ref, "consume", now) if holds else []
        if assessment is None and direction == "export":  # only exports earn rebates
            assessment = rebates.latest_assessment(session, declaration_id)
        count = rebates.create_records(
            session, declaration_id, ref.number, export_date, assessment, now, goods
        )
        return {"consumed": moved, "rebate_records": count}
    if status == "rejected":
        return {"given_back": settle(session, ref, "give_back", now) if holds else []}
    if status == "invalidated":
        given_back = settle(session, ref, "give_back", now) if holds else []
        return {
            "given_back": given_back,
            "rebate_records_voided": rebates.void_records(session, ref.number),
        }
    return {}
