"""Objections to FX classes: a trader objects to its B/C class within the objection period;
the FX authority upholds the class or grants the objection with a lower grade.

DOMAIN.md: B/C classes come "with notice and a 7-working-day objection period". A trader files
against its class in force (the newest notice) on or before the notice's objection deadline
(today in ``CUSTOMS_TIMEZONE``), once per notice. A pending objection does not suspend the
class. A granted objection appends a class notice (reason ``FX-OBJ``), so the history shows
both; the classification keeps that class against indicators no stricter than the class
objected to (:class:`rules.fx.Ruling`). Who may do what: :mod:`clearance.app.access`.
See docs/fx-monitoring.md, "Objections".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.app.access import (
    Permission,
    fx_objections_visible,
    require,
    require_fx_objector,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, NotFoundError, RefusedError
from clearance.app.fx import class_view, today
from clearance.app.fx_views import NewObjection, ObjectionRuling, ObjectionView
from clearance.fx import objections
from clearance.store.fx_tables import FxClass, FxObjection
from core.clock import as_utc
from rules.fx import Grade, shipped_policy
from rules.working_days import CalendarError, installed_calendar


def file_objection(app: Application, actor: Actor, trader: str, new: NewObjection) -> ObjectionView:
    """Object to ``trader``'s class in force (B or C, within its objection period).

    ``NotFoundError`` for a trader the actor may not act as (as for an unknown one) or one
    never classified; ``RefusedError`` for an A class or after the deadline; ``ConflictError``
    when that notice already has an objection, pending or decided.
    """
    require_fx_objector(actor, trader)
    grounds = new.grounds.strip()
    if not grounds:
        raise RefusedError("grounds: give the grounds of the objection (it is empty)")
    day = today(app)
    with app.unit() as session:
        notice = objections.newest_class(session, trader)
        if notice is None:
            raise NotFoundError(f"no FX monitoring record for trader {trader}")
        _objectable(session, notice, day)
        row = FxObjection(
            class_id=notice.id,
            trader=trader,
            filed_by=actor.subject,
            filed_at=app.clock.now(),
            grounds=grounds,
            status=objections.PENDING,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError as exc:
            # Another objection to the same notice was filed at the same moment.
            raise ConflictError(f"{_notice(notice)} already has an objection") from exc
        return _view(row, notice, None)


def list_objections(
    app: Application, actor: Actor, status: str | None = None, trader: str | None = None
) -> list[ObjectionView]:
    """The objections ``actor`` may see (a trader: its own), pending first, then oldest first."""
    visible = fx_objections_visible(actor)
    if status is not None and status not in objections.STATUSES:
        raise RefusedError(f"status must be one of {', '.join(objections.STATUSES)}")
    with app.read() as session:
        rows = objections.listing(session, visible, status, trader)
        notices = objections.classes_by_id(
            session, [r.class_id for r in rows] + [r.result_class_id for r in rows]
        )
        return [_view(r, notices[r.class_id], notices.get(r.result_class_id or 0)) for r in rows]


def show_objection(app: Application, actor: Actor, objection_id: int) -> ObjectionView:
    """One objection; another trader's is not found, like one that does not exist."""
    visible = fx_objections_visible(actor)
    with app.read() as session:
        row = objections.find(session, objection_id, visible)
        if row is None:
            raise NotFoundError(f"no FX objection {objection_id}")
        return _full_view(session, row)


def decide_objection(
    app: Application, actor: Actor, objection_id: int, ruling: ObjectionRuling
) -> ObjectionView:
    """Uphold a pending objection (the class stands) or grant it with a lower grade, which
    appends a class notice from today (FX authority only; decided once).

    Granting is refused when the notice objected to is no longer the class in force (a later
    classification replaced it): the trader objects to the newer notice instead.
    """
    require(actor, Permission.FX)
    policy = shipped_policy()
    day = today(app)
    with app.unit() as session:
        row = objections.find(session, objection_id, fx_objections_visible(actor), lock=True)
        if row is None:
            raise NotFoundError(f"no FX objection {objection_id}")
        if row.status != objections.PENDING:
            raise ConflictError(f"FX objection {objection_id} was already {row.status}")
        objected = session.get(FxClass, row.class_id)
        assert objected is not None  # a foreign key
        if ruling.outcome == "upheld":
            if ruling.grade is not None:
                raise RefusedError("grade: an upheld class keeps its grade; give none")
            objections.decide(row, objections.UPHELD, actor.subject, app.clock.now(), ruling.note)
            session.flush()
            return _view(row, objected, None)
        grade = _granted_grade(ruling, objected)
        newest = objections.newest_class(session, row.trader)
        if newest is None or newest.id != objected.id:
            raise ConflictError(
                f"{_notice(objected)} is no longer the class in force (a later notice "
                "replaced it): uphold this objection; the trader may object to the newer one"
            )
        ruled = objections.Ruled(grade, ruling.note, actor.subject, app.clock.now(), day)
        try:
            calendar = installed_calendar(policy.calendar, app.settings.calendars_dir)
            notice = objections.grant(session, row, objected, ruled, policy, calendar)
        except CalendarError as exc:
            raise RefusedError(exc.message) from exc
        return _view(row, objected, notice)


def _objectable(session: Session, notice: FxClass, today: date) -> None:
    """Refuse an objection to ``notice`` that the rules do not allow."""
    if notice.grade == Grade.A or notice.objection_deadline is None:
        raise RefusedError(
            f"{_notice(notice)}: an A class carries no restriction and cannot be objected to"
        )
    if today > notice.objection_deadline:
        raise RefusedError(
            f"{_notice(notice)}: the objection period ended on {notice.objection_deadline} "
            f"(today is {today})"
        )
    earlier = objections.objection_to(session, notice.id)
    if earlier is not None:
        raise ConflictError(
            f"{_notice(notice)} already has objection {earlier.id} ({earlier.status})"
        )


def _granted_grade(ruling: ObjectionRuling, objected: FxClass) -> Grade:
    if ruling.grade is None:
        raise RefusedError("grade: a granted objection needs the grade the class should have been")
    grade = Grade(ruling.grade)
    if grade.rank >= Grade(objected.grade).rank:
        raise RefusedError(
            f"grade: {grade} is not lower than the class {objected.grade} objected to"
        )
    return grade


def _notice(notice: FxClass) -> str:
    return f"the class {notice.grade} notice of {notice.valid_from} to trader {notice.trader}"


def _full_view(session: Session, row: FxObjection) -> ObjectionView:
    notices = objections.classes_by_id(session, [row.class_id, row.result_class_id])
    return _view(row, notices[row.class_id], notices.get(row.result_class_id or 0))


def _view(row: FxObjection, notice: FxClass, result: FxClass | None) -> ObjectionView:
    return ObjectionView(
        id=row.id,
        trader=row.trader,
        status=row.status,
        grounds=row.grounds,
        filed_by=row.filed_by,
        filed_at=as_utc(row.filed_at).isoformat(),
        notice=class_view(notice),
        decided_by=row.decided_by,
        decided_at=None if row.decided_at is None else as_utc(row.decided_at).isoformat(),
        decision_note=row.decision_note,
        granted_grade=row.granted_grade,
        result=None if result is None else class_view(result),
    )


__all__ = ["decide_objection", "file_objection", "list_objections", "show_objection"]
