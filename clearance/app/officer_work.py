"""Officer work around the decision: claims, the work queue with filters, the history.

An officer claims a flagged declaration before acting on it; two officers claiming at once
are serialised by the declaration's row lock in one unit of work, and the second is told who
holds it (``ConflictError``). A supervisor reassigns claims. Every action is an event of the
audit trail, which :func:`history` lists. Officers and supervisors see the declarations of
their own offices only (:mod:`clearance.app.access`); another office's declaration is
``NotFoundError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from clearance.app.access import (
    Permission,
    declarations_visible,
    may_supervise,
    require,
    visible_declaration,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, RefusedError
from clearance.app.officer import QueueEntry
from clearance.app.typed_inputs import typed_input
from clearance.app.views import View
from clearance.officer import audit, claims
from clearance.officer.errors import (
    ClaimHeldError,
    NotClaimedError,
    NotWaitingError,
    StaleVersionError,
)
from clearance.officer.work_queue import QueueQuery, work_queue
from clearance.store.tables import Declaration
from core.clock import as_utc

MAX_PAGE = 1000
Lane = Literal["red", "yellow", "blue", "green"]
Status = Literal["registered", "documents_required", "under_control"]


class ClaimView(View):
    """Who holds a declaration after the action (None: nobody)."""

    number: str
    version: int
    holder: str | None
    since: str | None


class Release(View):
    """Why a claim is given up (optional)."""

    reason: str | None = None


class Reassign(View):
    """A supervisor gives a declaration to another officer."""

    to: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1)


class QueueFilter(View):
    """What part of the work queue to list, and how."""

    offices: list[str] = Field(default_factory=list)
    lanes: list[Lane] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    claimed_by: str | None = None
    unclaimed: bool = False
    min_age_hours: int | None = Field(default=None, ge=0)
    max_age_hours: int | None = Field(default=None, ge=0)
    sort: Literal["oldest", "newest", "lane", "number"] = "oldest"
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> QueueFilter:
        if self.unclaimed and self.claimed_by is not None:
            raise ValueError("claimed_by and unclaimed exclude each other")
        if (
            self.min_age_hours is not None
            and self.max_age_hours is not None
            and self.min_age_hours > self.max_age_hours
        ):
            raise ValueError("min_age_hours is above max_age_hours")
        return self


class WorkItem(QueueEntry):
    """A queue entry with its office, age and holder."""

    office: str
    registered_at: str
    age_hours: int
    claimed_by: str | None
    claimed_at: str | None


class QueueCountsView(View):
    """How many declarations the filter matched (all pages), and how they split."""

    total: int
    claimed: int
    unclaimed: int
    by_lane: dict[str, int]
    by_office: dict[str, int]
    by_officer: dict[str, int]


class WorkQueue(View):
    """One page of the work queue and the counts over the whole filter."""

    entries: list[WorkItem]
    counts: QueueCountsView


class HistoryEntry(View):
    """One officer action on a declaration, as the audit trail keeps it."""

    id: int
    kind: str
    occurred_at: str
    by: str | None
    data: dict[str, Any]


def queue_filter(**fields: Any) -> QueueFilter:
    """A :class:`QueueFilter` from loose fields (``RefusedError`` when they are wrong)."""
    return typed_input(QueueFilter, fields)


def claim(app: Application, actor: Actor, number: str) -> ClaimView:
    """Make ``actor`` the holder of flagged declaration ``number`` (again: no change).

    ``ConflictError`` naming the holder when another officer holds it; ``RefusedError`` when
    it no longer waits for an officer; ``NotFoundError`` when ``actor`` may not see it.
    """
    require(actor, Permission.OFFICER)
    with app.unit() as session, translated():
        row = visible_declaration(session, actor, number, for_update=True)
        held = claims.claim(session, row, actor.subject, app.clock.now())
        return _view(row.number, row.version, held)


def unclaim(
    app: Application, actor: Actor, number: str, command: Release | None = None
) -> ClaimView:
    """Give up the claim on ``number``: its holder, or a supervisor for anyone's claim."""
    require(actor, Permission.OFFICER)
    reason = None if command is None else command.reason
    with app.unit() as session, translated():
        row = visible_declaration(session, actor, number, for_update=True)
        override = may_supervise(actor)
        claims.unclaim(
            session, row, actor.subject, app.clock.now(), override=override, reason=reason
        )
        return _view(row.number, row.version, None)


def reassign(app: Application, actor: Actor, number: str, command: Reassign) -> ClaimView:
    """Give ``number`` to officer ``command.to`` (supervisors only), whoever held it."""
    require(actor, Permission.SUPERVISE)
    with app.unit() as session, translated():
        row = visible_declaration(session, actor, number, for_update=True)
        held = claims.reassign(
            session, row, command.to, actor.subject, app.clock.now(), command.reason
        )
        return _view(row.number, row.version, held)


def queue(app: Application, actor: Actor, query: QueueFilter | None = None) -> WorkQueue:
    """The part of the work queue ``query`` asks for, among the declarations ``actor`` sees."""
    require(actor, Permission.OFFICER)
    query = query or QueueFilter()
    domain = QueueQuery(
        offices=frozenset(query.offices),
        lanes=frozenset(query.lanes),
        statuses=frozenset(query.statuses),
        claimed_by=query.claimed_by,
        unclaimed=query.unclaimed,
        min_age_hours=query.min_age_hours,
        max_age_hours=query.max_age_hours,
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
    )
    with app.read() as session:
        entries, counts = work_queue(session, declarations_visible(actor), domain, app.clock.now())
    return WorkQueue(
        entries=[WorkItem.model_validate(e) for e in entries],
        counts=QueueCountsView(
            total=counts.total,
            claimed=counts.claimed,
            unclaimed=counts.unclaimed,
            by_lane=counts.by_lane,
            by_office=counts.by_office,
            by_officer=counts.by_officer,
        ),
    )


def history(app: Application, actor: Actor, number: str) -> list[HistoryEntry]:
    """Every officer action on ``number`` (claims, requests, examinations, decisions), in order."""
    require(actor, Permission.OFFICER)
    with app.read() as session:
        row = visible_declaration(session, actor, number)
        events = audit.officer_events(session, row.number)
        return [_history_entry(e.id, e.kind, e.occurred_at, e.data) for e in events]


def _history_entry(event_id: int, kind: str, at: Any, raw: str) -> HistoryEntry:
    data = json.loads(raw)
    by = data.get("by") or data.get("officer")
    return HistoryEntry(
        id=event_id, kind=kind, occurred_at=as_utc(at).isoformat(), by=by, data=data
    )


def _view(number: str, version: int, held: claims.Holder | None) -> ClaimView:
    return ClaimView(
        number=number,
        version=version,
        holder=None if held is None else held.officer,
        since=None if held is None else as_utc(held.since).isoformat(),
    )


def held_declaration(
    session: Session, actor: Actor, number: str, version: int | None
) -> Declaration:
    """Declaration ``number`` locked for an officer action by ``actor``: visible to it, on
    the version it saw, still waiting, and held by it (or ``actor`` may supervise)."""
    if version is None and not actor.sees_everything:
        raise RefusedError("an officer's action names the declaration version it was taken on")
    row = visible_declaration(session, actor, number, for_update=True)
    claims.require_version(row, version)
    claims.require_waiting(row)
    claims.require_holder(session, row, actor.subject, override=may_supervise(actor))
    return row


@contextmanager
def translated() -> Iterator[None]:
    """The officer room's errors as the application's: conflicts and refusals."""
    try:
        yield
    except (ClaimHeldError, StaleVersionError) as exc:
        raise ConflictError(exc.message) from exc
    except (NotClaimedError, NotWaitingError) as exc:
        raise RefusedError(exc.message) from exc


__all__ = [
    "ClaimView",
    "HistoryEntry",
    "QueueFilter",
    "Reassign",
    "Release",
    "WorkItem",
    "WorkQueue",
    "claim",
    "held_declaration",
    "history",
    "queue",
    "queue_filter",
    "reassign",
    "translated",
    "unclaim",
]
