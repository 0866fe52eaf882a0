"""Confidentiality requests: a trader asks that its statistical figures be kept confidential.

A trader files a request for its own party (never another's); it sees its own requests only.
A statistics manager (:attr:`Permission.STATISTICS_MANAGE`) sees every request and accepts or
rejects a pending one. From acceptance on, every table cell the trader contributes to is
confidential (a primary cell, protected like the others: docs/statistics.md).
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.app.access import (
    Permission,
    confidentiality_requests_visible,
    granted,
    may_file_confidentiality,
    require,
    require_granted,
)
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, NotFoundError, NotPermittedError, RefusedError
from clearance.app.views import View
from clearance.store.statistics_request_tables import StatConfidentialityRequest

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES = (PENDING, ACCEPTED, REJECTED)


class NewRequest(View):
    """What a trader files: its party id and why its figures should be confidential."""

    party: str = Field(min_length=1, max_length=35)
    reason: str = Field(min_length=1, max_length=1000)


class Review(View):
    """A statistics manager's decision on a pending request."""

    accept: bool
    note: str = Field(default="", max_length=1000)


class RequestView(View):
    """A confidentiality request and its review."""

    id: int
    party: str
    filed_by: str
    reason: str
    status: str
    filed_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_note: str | None


def file_request(app: Application, actor: Actor, new: NewRequest) -> RequestView:
    """Register ``actor``'s request for ``new.party`` (its own party, unless a manager)."""
    if not may_file_confidentiality(actor, new.party):
        raise NotPermittedError("a trader may file a confidentiality request for itself only")
    if not granted(actor, Permission.STATISTICS_MANAGE):
        # A trader's own write, which no permission names: a scoped credential needs the scope
        # of the trader's writes (a read-only key files nothing).
        require(actor, Permission.SUBMIT)
    with app.unit() as session:
        row = StatConfidentialityRequest(
            party=new.party,
            filed_by=actor.subject,
            reason=new.reason,
            status=PENDING,
            filed_at=app.clock.now(),
        )
        session.add(row)
        session.flush()
        return _view(row)


def list_requests(app: Application, actor: Actor, status: str | None = None) -> list[RequestView]:
    """The requests ``actor`` may see (a trader: its own), oldest first."""
    if status is not None and status not in STATUSES:
        raise RefusedError(f"status must be one of {', '.join(STATUSES)}")
    query = select(StatConfidentialityRequest).where(confidentiality_requests_visible(actor))
    if status is not None:
        query = query.where(StatConfidentialityRequest.status == status)
    with app.read() as session:
        rows = session.scalars(query.order_by(StatConfidentialityRequest.id)).all()
        return [_view(r) for r in rows]


def show_request(app: Application, actor: Actor, request_id: int) -> RequestView:
    """One request; another trader's is "not found", like one that does not exist."""
    with app.read() as session:
        return _view(_visible(session, actor, request_id))


def review_request(app: Application, actor: Actor, request_id: int, review: Review) -> RequestView:
    """Accept or reject a pending request (statistics managers only); decided once."""
    require_granted(actor, Permission.STATISTICS_MANAGE)
    with app.unit() as session:
        row = _visible(session, actor, request_id, lock=True)
        if row.status != PENDING:
            raise ConflictError(f"request {request_id} was already {row.status}")
        row.status = ACCEPTED if review.accept else REJECTED
        row.reviewed_by = actor.subject
        row.reviewed_at = app.clock.now()
        row.review_note = review.note or None
        session.flush()
        return _view(row)


def _visible(
    session: Session, actor: Actor, request_id: int, *, lock: bool = False
) -> StatConfidentialityRequest:
    query = select(StatConfidentialityRequest).where(
        StatConfidentialityRequest.id == request_id, confidentiality_requests_visible(actor)
    )
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no confidentiality request {request_id}")
    return row


def _view(row: StatConfidentialityRequest) -> RequestView:
    return RequestView(
        id=row.id,
        party=row.party,
        filed_by=row.filed_by,
        reason=row.reason,
        status=row.status,
        filed_at=row.filed_at.isoformat(),
        reviewed_by=row.reviewed_by,
        reviewed_at=None if row.reviewed_at is None else row.reviewed_at.isoformat(),
        review_note=row.review_note,
    )


__all__ = [
    "NewRequest",
    "RequestView",
    "Review",
    "file_request",
    "list_requests",
    "review_request",
    "show_request",
]
