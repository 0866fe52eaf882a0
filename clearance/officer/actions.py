"""Officer actions: the queue, and a decision (release, reject, inspect) on one declaration.

A decision takes the declaration row under lock, checks its version when one is given (a stale
screen must not overrule a newer amendment) and that it still waits for an officer, records the
decision with the officer and reason, lets the ledgers follow, appends the audit events and
answers the trader in the format the declaration came in (:mod:`clearance.officer.notify`): a
CUSRES (EDIFACT), a RES-DMS notification (DEC-DMS), a DEC_RESULT receipt (DecMessage) or the
JSON channel's response.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.orm import Session

from clearance.decisions.carrier import tell_carrier
from clearance.decisions.follow import follow
from clearance.decisions.records import WAITING, set_status
from clearance.flow.outcome import ErrorReport
from clearance.ledgers.accounts import Ref
from clearance.lifecycle.events import EventKind, append_event
from clearance.officer.errors import NotWaitingError, StaleVersionError
from clearance.officer.notify import tell_trader
from clearance.store.control_tables import DecisionRow
from clearance.store.tables import Declaration as DeclarationRow
from core.errors import CustomsError
from core.settings import Settings

ACTIONS = {"release": "released", "reject": "rejected", "inspect": "under_control"}
_EVENTS = {
    "released": EventKind.RELEASED,
    "rejected": EventKind.REJECTED,
    "under_control": EventKind.UNDER_CONTROL,
}


def queue(session: Session, scope: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Declarations in ``scope`` waiting for an officer, oldest first, with the latest decision."""
    rows = session.execute(
        select(DeclarationRow, DecisionRow)
        .join(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
        .where(DeclarationRow.status.in_(WAITING), scope)
        .order_by(DeclarationRow.id, DecisionRow.id)
    ).all()
    latest: dict[str, dict[str, Any]] = {}
    for declaration, decision in rows:
        latest[declaration.number] = {
            "number": declaration.number,
            "version": declaration.version,
            "status": declaration.status,
            "lane": decision.lane,
            "decision": decision.decision,
            "fired_rules": json.loads(decision.fired_rules),
            "decided_by": decision.decided_by,
            "accepted_on": declaration.accepted_on.isoformat(),
        }
    return list(latest.values())


def decide(
    session: Session,
    settings: Settings,
    number: str,
    action: str,
    reason: str,
    officer: str,
    now: datetime,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Apply an officer's decision; raises :class:`CustomsError` when it cannot apply."""
    row = session.scalars(
        select(DeclarationRow).where(DeclarationRow.number == number).with_for_update()
    ).one_or_none()
    if row is None:
        raise CustomsError(f"no declaration {number}")
    if expected_version is not None and row.version != expected_version:
        raise StaleVersionError(
            f"declaration {number} is at version {row.version}, not {expected_version}"
        )
    if row.status not in WAITING:
        raise NotWaitingError(
            f"declaration {number} is {row.status}: it does not wait for an officer"
        )
    last = session.scalars(
        select(DecisionRow)
        .where(DecisionRow.declaration_id == row.id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    if last is None:
        raise NotWaitingError(f"declaration {number} has no decision to act on")
    status = ACTIONS[action]
    _record(session, last, row, action, reason, officer, now)
    set_status(session, row.id, status, now)
    tell_carrier(session, row.number, status, now)
    row.decision = "reject" if action == "reject" else action
    moved = follow(
        session,
        Ref(number, row.version),
        row.id,
        status,
        row.accepted_on,
        now,
        direction=row.direction,
    )
    data = {"officer": officer, "action": action, "reason": reason, "version": row.version}
    append_event(session, EventKind.OFFICER_DECIDED, now, declaration_number=number, data=data)
    append_event(session, _EVENTS[status], now, declaration_number=number, data={"ledgers": moved})
    response = _respond(session, settings, row, status, reason, now)
    return {"number": number, "status": status, "ledgers": moved, "response": response}


def _record(
    session: Session,
    last: DecisionRow,
    row: DeclarationRow,
    action: str,
    reason: str,
    officer: str,
    now: datetime,
) -> None:
    lane = "red" if action == "inspect" else last.lane
    session.execute(
        insert(DecisionRow).values(
            declaration_id=row.id,
            declaration_version=row.version,
            lane=lane,
            decision=action,
            auto_release=False,
            ruleset_id=last.ruleset_id,
            ruleset_version=last.ruleset_version,
            fired_rules=last.fired_rules,
            inputs_digest=last.inputs_digest,
            findings=last.findings,
            reasons=last.reasons,
            inputs=last.inputs,
            seed=last.seed,
            as_of=last.as_of,
            registry_load_id=last.registry_load_id,
            decided_by=officer,
            note=reason,
            decided_at=now,
        )
    )


def _respond(
    session: Session,
    settings: Settings,
    row: DeclarationRow,
    status: str,
    reason: str,
    now: datetime,
) -> str | None:
    """The answer for the new status in the sender's format (CUSRES, RES-DMS, DEC_RESULT,
    the JSON channel's response)."""
    reasons = [ErrorReport(code="OFFICER", text=reason or "officer decision")]
    return tell_trader(session, settings, row, status, reasons, now)
