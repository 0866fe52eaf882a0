"""The lifecycle event log, read after a cursor (``customs events``, ``GET /v1/events``)."""

from __future__ import annotations

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import RefusedError
from clearance.app.queries import events_after
from clearance.app.tenant_scope import tenant_read
from clearance.app.views import EventPage

MAX_PAGE = 1000


def pull(app: Application, actor: Actor, *, after: int = 0, limit: int = 100) -> EventPage:
    """Events after cursor ``after`` that ``actor`` may see, oldest first, and the next cursor.

    Ids are gapless in commit order (:mod:`clearance.lifecycle.events`), so a follower that
    asks again from ``next_cursor`` never misses an event. The cursor moves past events the
    actor may not see only as far as the last one returned.
    """
    require(actor, Permission.READ)
    if after < 0 or not 1 <= limit <= MAX_PAGE:
        raise RefusedError(f"cursor must be ≥ 0 and limit between 1 and {MAX_PAGE}")
    with tenant_read(app, actor) as session:
        events = events_after(session, actor, after, limit)
    return EventPage(events=events, next_cursor=events[-1].id if events else after)
