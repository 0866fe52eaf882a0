"""Objections to FX class notices in the store: filing, the FX authority's ruling, and the
rulings the classification must respect (docs/fx-monitoring.md, "Objections").

A granted objection appends a class notice, as the classification does (the history is
append-only); the objection row names both the notice objected to and the one it produced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from clearance.store.fx_tables import FxClass, FxObjection
from rules.fx import FxPolicy, Grade, Ruling, class_term
from rules.working_days import WorkingCalendar

PENDING, UPHELD, GRANTED = "pending", "upheld", "granted"
STATUSES = (PENDING, UPHELD, GRANTED)
#: The reason code of a class notice given on a granted objection.
OBJECTION_REASON = "FX-OBJ"


@dataclass(frozen=True, slots=True)
class Ruled:
    """What a granted objection changes: the new grade, why, and when it was decided."""

    grade: Grade
    note: str
    actor: str
    now: datetime
    today: date


def newest_class(session: Session, trader: str) -> FxClass | None:
    """The trader's class in force: its newest notice."""
    query = select(FxClass).where(FxClass.trader == trader).order_by(FxClass.id.desc()).limit(1)
    return session.scalars(query).first()


def objection_to(session: Session, class_id: int) -> FxObjection | None:
    """The objection (pending or decided) to notice ``class_id``, if any."""
    return session.scalars(select(FxObjection).where(FxObjection.class_id == class_id)).first()


def find(
    session: Session, objection_id: int, visible: ColumnElement[bool], *, lock: bool = False
) -> FxObjection | None:
    """Objection ``objection_id`` if ``visible`` lets the caller see it (locked for a ruling)."""
    query = select(FxObjection).where(FxObjection.id == objection_id, visible)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def listing(
    session: Session,
    visible: ColumnElement[bool],
    status: str | None = None,
    trader: str | None = None,
) -> list[FxObjection]:
    """The objections ``visible`` lets the caller see: pending first, then oldest first."""
    query = select(FxObjection).where(visible)
    if status is not None:
        query = query.where(FxObjection.status == status)
    if trader is not None:
        query = query.where(FxObjection.trader == trader)
    pending_first = case((FxObjection.status == PENDING, 0), else_=1)
    return list(session.scalars(query.order_by(pending_first, FxObjection.id)))


def classes_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, FxClass]:
    """The class notices of ``ids`` (None left out)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {r.id: r for r in session.scalars(select(FxClass).where(FxClass.id.in_(wanted)))}


def grant(
    session: Session,
    objection: FxObjection,
    objected: FxClass,
    ruled: Ruled,
    policy: FxPolicy,
    calendar: WorkingCalendar,
) -> FxClass:
    """Append the notice of a granted objection (validity and objection deadline as the policy
    gives for its grade, from today) and record the ruling on the objection."""
    valid_until, objection_deadline = class_term(ruled.grade, ruled.today, policy, calendar)
    reason = (
        f"objection {objection.id} to class {objected.grade} of {objected.valid_from} granted: "
        f"{ruled.note}"
    )
    notice = FxClass(
        trader=objected.trader,
        grade=ruled.grade.value,
        valid_from=ruled.today,
        valid_until=valid_until,
        objection_deadline=objection_deadline,
        reasons=json.dumps([{"code": OBJECTION_REASON, "text": reason}], ensure_ascii=False),
        # The figures are those of the notice objected to: the ruling changes the grade only.
        indicators=objected.indicators,
        policy_version=f"{policy.id}@{policy.version}",
        classified_at=ruled.now,
        actor=ruled.actor,
    )
    session.add(notice)
    session.flush()
    decide(objection, GRANTED, ruled.actor, ruled.now, ruled.note)
    objection.granted_grade = ruled.grade.value
    objection.result_class_id = notice.id
    return notice


def decide(objection: FxObjection, status: str, actor: str, now: datetime, note: str) -> None:
    """Record the ruling on ``objection``."""
    objection.status = status
    objection.decided_by = actor
    objection.decided_at = now
    objection.decision_note = note


def rulings(session: Session) -> dict[int, Ruling]:
    """The ruling behind every class notice given on a granted objection, by notice id.

    A notice given on objection to a notice that was itself given on objection keeps the
    first one's term and the strictest class objected to along the chain. Granted objections
    are few (at most two per notice, each lowering the class): all are read at once.
    """
    rows = session.execute(
        select(FxObjection.result_class_id, FxClass.id, FxClass.grade, FxClass.valid_until)
        .join(FxClass, FxClass.id == FxObjection.class_id)
        .where(FxObjection.status == GRANTED)
        .order_by(FxObjection.result_class_id)
    ).all()
    found: dict[int, Ruling] = {}
    # Ordered by the produced notice: a chain's earlier link (an older notice) comes first.
    for produced, objected_id, grade, valid_until in rows:
        if produced is None or valid_until is None:
            continue
        earlier = found.get(objected_id)
        objected = Grade(grade)
        if earlier is not None:
            found[produced] = Ruling(max(objected, earlier.objected, key=_rank), earlier.until)
        else:
            found[produced] = Ruling(objected, valid_until)
    return found


def _rank(grade: Grade) -> int:
    return grade.rank
