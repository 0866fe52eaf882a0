"""Officer work: the queue of declarations automation flagged, and decisions on them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

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
from clearance.app.views import View
from clearance.officer import actions, claims
from clearance.officer.errors import (
    ClaimHeldError,
    NotClaimedError,
    NotWaitingError,
    StaleVersionError,
)

#: What an officer may decide: release, reject, or send to physical inspection.
Action = Literal["release", "reject", "inspect"]


class QueueEntry(View):
    """A declaration waiting for an officer, with its latest decision."""

    number: str
    version: int
    status: str
    lane: str
    decision: str
    fired_rules: list[str]
    decided_by: str
    accepted_on: str


class Decide(View):
    """An officer's decision: what, why, and the version the officer saw (checked if given)."""

    action: Action
    reason: str = Field(min_length=1)
    version: int | None = None


class Decided(View):
    """What a decision did: the new status, the ledger movements, the answer sent (if any)."""

    number: str
    status: str
    ledgers: dict[str, Any]
    response: str | None


def queue(app: Application, actor: Actor) -> list[QueueEntry]:
    """Declarations ``actor`` may act on that wait for an officer, oldest first."""
    require(actor, Permission.OFFICER)
    with app.read() as session:
        rows = actions.queue(session, declarations_visible(actor))
    return [QueueEntry.model_validate(row) for row in rows]


def decide(app: Application, actor: Actor, number: str, command: Decide) -> Decided:
    """Release, reject or inspect ``number`` as ``actor``; the trader is answered in kind.

    Only the officer holding the claim decides (or a supervisor, or the local operator); an
    officer names the version it saw. ``ConflictError`` when the declaration moved on (another
    version) or another officer holds it (named); ``RefusedError`` when it no longer waits or
    is not claimed; ``NotFoundError`` when ``actor`` may not see it. A decision that ends the
    wait ends the claim.
    """
    require(actor, Permission.OFFICER)
    if command.version is None and not actor.sees_everything:
        raise RefusedError("an officer's decision names the declaration version it was taken on")
    with app.unit() as session:
        row = visible_declaration(session, actor, number, for_update=True)
        try:
            # The version and the state first (a decided declaration has no claim left),
            # then the claim: only its holder, or a supervisor, decides.
            claims.require_version(row, command.version)
            claims.require_waiting(row)
            claims.require_holder(session, row, actor.subject, override=may_supervise(actor))
            result = actions.decide(
                session,
                app.settings,
                number,
                command.action,
                command.reason,
                actor.subject,
                app.clock.now(),
                command.version,
            )
            claims.close(session, row, result["status"])
        except (StaleVersionError, ClaimHeldError) as exc:
            raise ConflictError(exc.message) from exc
        except (NotWaitingError, NotClaimedError) as exc:
            raise RefusedError(exc.message) from exc
    return Decided.model_validate(result)
