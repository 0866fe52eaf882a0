"""Mandates: a trader empowers a broker to declare on its behalf, for dates, revocably.

An admin grants, lists and revokes any mandate; a trader may grant and revoke mandates for
its own party ids and list them; a broker lists the mandates it holds. A broker acts for a
trader (:func:`clearance.app.identity.actor_of`) only on the days its mandate is in force.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, false, select, true

from clearance.app.access import Permission, effective_permissions, require
from clearance.app.actor import Actor, Role
from clearance.app.context import Application
from clearance.app.errors import NotFoundError, NotPermittedError, RefusedError
from clearance.app.identity import forget_verified_keys, local_today
from clearance.app.identity_views import MandateView
from clearance.app.party_ids import parse_party_id
from clearance.store.identity_tables import Mandate, Subject
from core.clock import as_utc


def grant_mandate(
    app: Application,
    actor: Actor,
    broker_id: str,
    trader_party_id: str,
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> MandateView:
    """Record that trader ``trader_party_id`` mandates broker ``broker_id`` (from today)."""
    trader = parse_party_id(trader_party_id).value
    _require_grantor(actor, trader)
    today = local_today(app)
    start = valid_from or today
    if valid_to is not None and valid_to < start:
        raise RefusedError(f"a mandate cannot end ({valid_to}) before it starts ({start})")
    with app.unit() as session:
        broker = session.get(Subject, broker_id)
        if broker is None or broker.role != Role.BROKER.value:
            raise NotFoundError(f"no broker {broker_id}")
        row = Mandate(
            broker_id=broker_id,
            trader_party_id=trader,
            valid_from=start,
            valid_to=valid_to,
            granted_by=actor.subject,
            granted_at=app.clock.now(),
        )
        session.add(row)
        session.flush()
        view = mandate_view(row, today)
    forget_verified_keys(app)  # the broker's cached actor lacks the new trader
    return view


def list_mandates(
    app: Application,
    actor: Actor,
    *,
    broker_id: str | None = None,
    trader_party_id: str | None = None,
) -> list[MandateView]:
    """The mandates ``actor`` may see (an admin: all), optionally of one broker or trader."""
    query = select(Mandate).where(_mandates_visible(actor)).order_by(Mandate.id)
    if broker_id is not None:
        query = query.where(Mandate.broker_id == broker_id)
    if trader_party_id is not None:
        query = query.where(Mandate.trader_party_id == trader_party_id)
    today = local_today(app)
    with app.read() as session:
        return [mandate_view(row, today) for row in session.scalars(query)]


def revoke_mandate(app: Application, actor: Actor, mandate_id: int) -> MandateView:
    """Revoke a mandate now; the broker no longer acts for the trader from its next request."""
    with app.unit() as session:
        row = session.scalars(
            select(Mandate)
            .where(Mandate.id == mandate_id, _mandates_visible(actor))
            .with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no mandate {mandate_id}")
        _require_grantor(actor, row.trader_party_id)
        if row.revoked_at is None:
            row.revoked_at = app.clock.now()
        view = mandate_view(row, local_today(app))
    forget_verified_keys(app)  # committed: the broker stops acting for the trader at once
    return view


def mandate_view(row: Mandate, today: date) -> MandateView:
    """A stored mandate, and whether it is in force on ``today``."""
    in_force = (
        row.revoked_at is None
        and row.valid_from <= today
        and (row.valid_to is None or today <= row.valid_to)
    )
    return MandateView(
        id=row.id,
        broker=row.broker_id,
        trader_party_id=row.trader_party_id,
        valid_from=row.valid_from.isoformat(),
        valid_to=None if row.valid_to is None else row.valid_to.isoformat(),
        granted_by=row.granted_by,
        granted_at=as_utc(row.granted_at).isoformat(),
        revoked_at=None if row.revoked_at is None else as_utc(row.revoked_at).isoformat(),
        in_force=in_force,
    )


def _require_grantor(actor: Actor, trader_party_id: str) -> None:
    """An admin may grant or revoke any mandate; a trader only one of its own party ids."""
    if Permission.IDENTITY in _permissions(actor):
        return
    if actor.role is Role.TRADER and trader_party_id in actor.party_ids:
        # A mandate lets a broker file as the trader: a scoped trader credential needs the
        # scope of filing itself (a read-only key must not hand out the right to submit).
        require(actor, Permission.SUBMIT)
        return
    raise NotPermittedError(f"a {actor.role.value} may not grant or revoke this mandate")


def _mandates_visible(actor: Actor) -> ColumnElement[bool]:
    """Mandates an actor may see: all (admin), its own party ids' (trader), its own (broker)."""
    if Permission.IDENTITY in _permissions(actor):
        return true()
    if actor.role is Role.TRADER and actor.party_ids:
        return Mandate.trader_party_id.in_(sorted(actor.party_ids))
    if actor.role is Role.BROKER:
        return Mandate.broker_id == actor.subject
    return false()


def _permissions(actor: Actor) -> frozenset[Permission]:
    # Within the credential's scopes: an admin key without ``identity`` manages no mandates.
    return effective_permissions(actor)
