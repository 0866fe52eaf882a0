"""The officers' work queue: flagged declarations, filtered and sorted, with counts.

A declaration is in the queue while its status waits for an officer
(:data:`clearance.decisions.records.WAITING`); its lane is that of its latest decision (an
officer's "inspect" sends it to red). Counts are over every declaration the filter matches,
not only the page returned.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Join, case, func, join, select
from sqlalchemy.orm import Session

from clearance.decisions.records import WAITING
from clearance.store.control_tables import DecisionRow
from clearance.store.officer_tables import OfficerClaim
from clearance.store.tables import Declaration as DeclarationRow
from core.clock import as_utc

Sort = Literal["oldest", "newest", "lane", "number"]
#: Lanes in the order an officer looks at them: physical examination first.
LANE_ORDER = ("red", "yellow", "blue", "green")


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """What to list. Empty collections and None mean "any"."""

    offices: frozenset[str] = frozenset()
    lanes: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    claimed_by: str | None = None
    unclaimed: bool = False
    min_age_hours: int | None = None
    max_age_hours: int | None = None
    sort: Sort = "oldest"
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """How many declarations the filter matched, and how they split."""

    total: int = 0
    claimed: int = 0
    unclaimed: int = 0
    by_lane: dict[str, int] = field(default_factory=dict)
    by_office: dict[str, int] = field(default_factory=dict)
    by_officer: dict[str, int] = field(default_factory=dict)


def work_queue(
    session: Session, scope: ColumnElement[bool], query: QueueQuery, now: datetime
) -> tuple[list[dict[str, Any]], QueueCounts]:
    """The page of queue entries ``query`` asks for within ``scope``, and the counts."""
    conditions = _conditions(scope, query, now)
    rows = session.execute(
        select(DeclarationRow, DecisionRow, OfficerClaim)
        .select_from(_source())
        .where(*conditions)
        .order_by(*_order(query.sort))
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    entries = [_entry(d, decision, claim, now) for d, decision, claim in rows]
    return entries, _counts(session, conditions)


def _source() -> Join:
    """Waiting declarations joined to their latest decision and (outer) their claim."""
    latest = (
        select(DecisionRow.declaration_id, func.max(DecisionRow.id).label("decision_id"))
        .group_by(DecisionRow.declaration_id)
        .subquery()
    )
    return (
        join(DeclarationRow, latest, latest.c.declaration_id == DeclarationRow.id)
        .join(DecisionRow, DecisionRow.id == latest.c.decision_id)
        .outerjoin(OfficerClaim, OfficerClaim.declaration_id == DeclarationRow.id)
    )


def _conditions(
    scope: ColumnElement[bool], query: QueueQuery, now: datetime
) -> list[ColumnElement[bool]]:
    statuses = query.statuses or frozenset(WAITING)
    conditions = [scope, DeclarationRow.status.in_(sorted(statuses & set(WAITING)))]
    if query.offices:
        conditions.append(DeclarationRow.office.in_(sorted(query.offices)))
    if query.lanes:
        conditions.append(DecisionRow.lane.in_(sorted(query.lanes)))
    if query.claimed_by is not None:
        conditions.append(OfficerClaim.officer == query.claimed_by)
    if query.unclaimed:
        conditions.append(OfficerClaim.officer.is_(None))
    if query.min_age_hours is not None:  # at least this old: registered before the bound
        conditions.append(
            DeclarationRow.registered_at <= now - timedelta(hours=query.min_age_hours)
        )
    if query.max_age_hours is not None:
        conditions.append(
            DeclarationRow.registered_at >= now - timedelta(hours=query.max_age_hours)
        )
    return conditions


def _order(sort: Sort) -> list[Any]:
    if sort == "newest":
        return [DeclarationRow.registered_at.desc(), DeclarationRow.id.desc()]
    if sort == "number":
        return [DeclarationRow.number]
    if sort == "lane":
        rank = case(
            {lane: index for index, lane in enumerate(LANE_ORDER)},
            value=DecisionRow.lane,
            else_=len(LANE_ORDER),
        )
        return [rank, DeclarationRow.registered_at, DeclarationRow.id]
    return [DeclarationRow.registered_at, DeclarationRow.id]


def _counts(session: Session, conditions: list[ColumnElement[bool]]) -> QueueCounts:
    groups = session.execute(
        select(DecisionRow.lane, DeclarationRow.office, OfficerClaim.officer, func.count())
        .select_from(_source())
        .where(*conditions)
        .group_by(DecisionRow.lane, DeclarationRow.office, OfficerClaim.officer)
    ).all()
    lanes: Counter[str] = Counter()
    offices: Counter[str] = Counter()
    officers: Counter[str] = Counter()
    unclaimed = 0
    for lane, office, officer, n in groups:
        lanes[lane] += n
        offices[office] += n
        if officer is None:
            unclaimed += n
        else:
            officers[officer] += n
    total = sum(lanes.values())
    return QueueCounts(
        total=total,
        claimed=total - unclaimed,
        unclaimed=unclaimed,
        by_lane=dict(sorted(lanes.items())),
        by_office=dict(sorted(offices.items())),
        by_officer=dict(sorted(officers.items())),
    )


def _entry(
    d: DeclarationRow, decision: DecisionRow, claim: OfficerClaim | None, now: datetime
) -> dict[str, Any]:
    registered = as_utc(d.registered_at)
    return {
        "number": d.number,
        "version": d.version,
        "status": d.status,
        "lane": decision.lane,
        "decision": decision.decision,
        "fired_rules": json.loads(decision.fired_rules),
        "decided_by": decision.decided_by,
        "accepted_on": d.accepted_on.isoformat(),
        "office": d.office,
        "registered_at": registered.isoformat(),
        "age_hours": max(0, int((as_utc(now) - registered).total_seconds() // 3600)),
        "claimed_by": None if claim is None else claim.officer,
        "claimed_at": None if claim is None else as_utc(claim.claimed_at).isoformat(),
    }
