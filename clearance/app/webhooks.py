"""Webhook endpoints: a subject registers, lists, shows, removes them and rotates secrets.

An endpoint receives, signed, the events its owner may see (``GET /v1/events``), from the
moment it is registered. Only the owner sees or manages it; anyone else is told it does not
exist (404), as for another tenant's declaration. The signing secret is returned once, at
creation or rotation, and kept sealed under ``CUSTOMS_WEBHOOK_SECRET_KEY``; without that key
registering is refused. The URL is checked against server-side request forgery at
registration (and again at every delivery): https, a public address or an allowed network.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.app.access import Permission, require, webhook_endpoints_visible
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import ConflictError, NotFoundError, RefusedError
from clearance.app.webhook_views import (
    CreatedWebhook,
    RotatedSecret,
    WebhookDeliveryView,
    WebhookEndpointView,
)
from clearance.store.tables import Event
from clearance.store.webhook_tables import WebhookDelivery, WebhookEndpoint
from clearance.webhooks import sealing, signing, targets
from core.clock import as_utc
from core.errors import ConfigurationError

ACTIVE = "active"
DISABLED = "disabled"
#: How many endpoints one subject may keep (each one is work for every event it may see).
MAX_ENDPOINTS_PER_OWNER = 20
MAX_EVENT_TYPES = 50
_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_.]{0,31}$")
MAX_DELIVERY_PAGE = 500


def secret_box(app: Application) -> sealing.SecretBox:
    """The box sealing the endpoints' secrets; refused clearly when no key is configured."""
    key = app.settings.webhook_secret_key
    if key is None:
        raise RefusedError(
            "webhooks are not enabled here: the operator must set CUSTOMS_WEBHOOK_SECRET_KEY "
            "(32 random bytes, base64) to keep the endpoints' signing secrets"
        )
    try:
        return sealing.SecretBox.from_setting(key.get_secret_value())
    except ConfigurationError as exc:
        raise RefusedError(f"webhooks are misconfigured here: {exc.message}") from exc


def target_policy(app: Application) -> targets.TargetPolicy:
    """Which webhook targets the settings allow."""
    return targets.TargetPolicy.of(
        app.settings.webhook_allowed_networks, app.settings.webhook_allow_http
    )


def register(
    app: Application,
    actor: Actor,
    url: str,
    *,
    event_types: Sequence[str] = (),
    description: str | None = None,
) -> CreatedWebhook:
    """A new endpoint of ``actor`` for ``url``; its secret is in the result and nowhere else.

    Events that happened before registration are not sent: the endpoint starts at the end
    of the log.
    """
    require(actor, Permission.READ)
    box = secret_box(app)
    kinds = _event_types(event_types)
    _check_target(app, url)
    secret = signing.new_secret()
    public_id = "ep_" + secrets.token_urlsafe(16)
    with app.unit() as session:
        owned = session.scalar(
            select(func.count())
            .select_from(WebhookEndpoint)
            .where(WebhookEndpoint.owner_subject == actor.subject)
        )
        if (owned or 0) >= MAX_ENDPOINTS_PER_OWNER:
            raise ConflictError(
                f"a subject keeps at most {MAX_ENDPOINTS_PER_OWNER} webhook endpoints; "
                "remove one first"
            )
        row = WebhookEndpoint(
            public_id=public_id,
            owner_subject=actor.subject,
            owner_role=actor.role.value,
            url=url,
            description=description,
            event_types=json.dumps(kinds),
            secret_sealed=box.seal(secret, public_id),
            status=ACTIVE,
            created_at=app.clock.now(),
            event_cursor=session.scalar(select(func.max(Event.id))) or 0,
        )
        session.add(row)
        session.flush()
        return CreatedWebhook(secret=secret, endpoint=endpoint_view(row))


def list_endpoints(app: Application, actor: Actor) -> list[WebhookEndpointView]:
    """``actor``'s endpoints (every one for the operator), oldest first."""
    require(actor, Permission.READ)
    with app.read() as session:
        rows = session.scalars(
            select(WebhookEndpoint)
            .where(webhook_endpoints_visible(actor))
            .order_by(WebhookEndpoint.id)
        )
        return [endpoint_view(row) for row in rows]


def show(app: Application, actor: Actor, endpoint_id: str) -> WebhookEndpointView:
    """One of ``actor``'s endpoints; ``NotFoundError`` for anyone else's."""
    require(actor, Permission.READ)
    with app.read() as session:
        return endpoint_view(_visible(session, actor, endpoint_id))


def remove(app: Application, actor: Actor, endpoint_id: str) -> WebhookEndpointView:
    """Remove an endpoint and its delivery records: nothing more is sent to it."""
    require(actor, Permission.READ)
    with app.unit() as session:
        row = _visible(session, actor, endpoint_id, for_update=True)
        view = endpoint_view(row)
        session.query(WebhookDelivery).filter(WebhookDelivery.endpoint_id == row.id).delete(
            synchronize_session=False
        )
        session.delete(row)
        return view


def rotate_secret(app: Application, actor: Actor, endpoint_id: str) -> RotatedSecret:
    """A new signing secret for an endpoint, effective for every later attempt."""
    require(actor, Permission.READ)
    box = secret_box(app)
    secret = signing.new_secret()
    with app.unit() as session:
        row = _visible(session, actor, endpoint_id, for_update=True)
        row.secret_sealed = box.seal(secret, row.public_id)
        row.secret_rotated_at = app.clock.now()
        return RotatedSecret(secret=secret, endpoint=endpoint_view(row))


def deliveries(
    app: Application, actor: Actor, endpoint_id: str, *, limit: int = 100
) -> list[WebhookDeliveryView]:
    """The endpoint's deliveries, newest first."""
    require(actor, Permission.READ)
    if not 1 <= limit <= MAX_DELIVERY_PAGE:
        raise RefusedError(f"limit must be between 1 and {MAX_DELIVERY_PAGE}")
    with app.read() as session:
        row = _visible(session, actor, endpoint_id)
        found = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == row.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        return [delivery_view(d) for d in found]


def endpoint_view(row: WebhookEndpoint) -> WebhookEndpointView:
    """The public facts of a stored endpoint (never its secret)."""
    return WebhookEndpointView(
        id=row.public_id,
        owner=row.owner_subject,
        url=row.url,
        description=row.description,
        event_types=json.loads(row.event_types),
        status=row.status,
        disabled_reason=row.disabled_reason,
        disabled_at=_iso(row.disabled_at),
        created_at=as_utc(row.created_at).isoformat(),
        secret_rotated_at=_iso(row.secret_rotated_at),
    )


def delivery_view(row: WebhookDelivery) -> WebhookDeliveryView:
    """A stored delivery as its endpoint's owner sees it."""
    return WebhookDeliveryView(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        webhook_id=row.message_id,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_iso(row.next_attempt_at),
        last_attempt_at=_iso(row.last_attempt_at),
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        delivered_at=_iso(row.delivered_at),
        created_at=as_utc(row.created_at).isoformat(),
    )


def _visible(
    session: Session, actor: Actor, endpoint_id: str, *, for_update: bool = False
) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.public_id == endpoint_id, webhook_endpoints_visible(actor)
    )
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no webhook endpoint {endpoint_id}")
    return row


def _event_types(kinds: Sequence[str]) -> list[str]:
    if len(kinds) > MAX_EVENT_TYPES:
        raise RefusedError(f"at most {MAX_EVENT_TYPES} event types")
    for kind in kinds:
        if not _EVENT_TYPE.match(kind):
            raise RefusedError(f"{kind!r} is not an event type (e.g. registered, released)")
    return sorted(set(kinds))


def _check_target(app: Application, url: str) -> None:
    try:
        targets.resolve_target(url, target_policy(app))
    except targets.TargetRefusedError as exc:
        raise RefusedError(exc.message) from exc


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else as_utc(instant).isoformat()
