"""API keys: issue (the key shown once), list, revoke. Only an admin manages them.

A key belongs to one subject, expires (by default after a year), and can be revoked at any
time. Revoking is immediate in the process that revokes (it empties the process's cache of
verified keys) and takes at most ``CUSTOMS_KEY_CACHE_SECONDS`` in other serving processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select

from clearance.app import credentials
from clearance.app.access import (
    ROLE_PERMISSIONS,
    Permission,
    parse_scopes,
    require,
    scopes_text,
)
from clearance.app.actor import Actor, Role
from clearance.app.context import Application
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.identity import forget_verified_keys
from clearance.app.identity_views import ApiKeyView, IssuedKey
from clearance.store.identity_tables import ApiKey, Subject
from core.clock import as_utc

#: How long a key lives unless the admin says otherwise.
DEFAULT_LIFETIME = timedelta(days=365)


def issue_key(
    app: Application,
    actor: Actor,
    subject_id: str,
    *,
    label: str | None = None,
    expires_at: datetime | None = None,
    scopes: Iterable[str] = (),
) -> IssuedKey:
    """A new API key for ``subject_id``; the key itself is in the result and nowhere else.

    ``scopes`` limits the key to those of the subject's role's permissions (``read``,
    ``quote`` …); none: unscoped, every permission of the role. A name that is no permission,
    or a permission the role does not have, is refused (:class:`RefusedError`).
    """
    require(actor, Permission.IDENTITY)
    wanted = set(scopes)
    now = app.clock.now()
    expires = expires_at if expires_at is not None else now + DEFAULT_LIFETIME
    if expires.tzinfo is None:
        raise RefusedError("a key's expiry needs a time zone")
    if expires <= now:
        raise RefusedError(f"a key's expiry must be in the future, not {expires.isoformat()}")
    made = credentials.new_api_key()
    with app.unit() as session:
        subject = session.get(Subject, subject_id)
        if subject is None:
            raise NotFoundError(f"no subject {subject_id}")
        if subject.disabled:
            raise RefusedError(f"subject {subject_id} is disabled")
        row = ApiKey(
            scopes=_checked_scopes(wanted, subject) if wanted else None,
            key_id=made.key_id,
            subject_id=subject_id,
            key_hash=made.key_hash,
            label=label,
            created_at=now,
            expires_at=expires,
        )
        session.add(row)
        session.flush()
        return IssuedKey(key=made.key, details=key_view(row))


def list_keys(app: Application, actor: Actor, *, subject_id: str | None = None) -> list[ApiKeyView]:
    """Every key (or one subject's), oldest first, without secrets."""
    require(actor, Permission.IDENTITY)
    query = select(ApiKey).order_by(ApiKey.id)
    if subject_id is not None:
        query = query.where(ApiKey.subject_id == subject_id)
    with app.read() as session:
        return [key_view(row) for row in session.scalars(query)]


def revoke_key(app: Application, actor: Actor, key_id: str) -> ApiKeyView:
    """Revoke a key now (revoking a revoked key keeps its first revocation time)."""
    require(actor, Permission.IDENTITY)
    with app.unit() as session:
        row = session.scalars(
            select(ApiKey).where(ApiKey.key_id == key_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no API key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = app.clock.now()
        view = key_view(row)
    forget_verified_keys(app)  # committed: no request of this process believes the key now
    return view


def _checked_scopes(wanted: set[str], subject: Subject) -> str:
    """``wanted`` as stored, once every name is a permission of ``subject``'s role."""
    known, unknown = parse_scopes(wanted)
    if unknown:
        raise RefusedError(
            f"unknown scope {', '.join(sorted(unknown))}: a scope is one of "
            f"{', '.join(p.value for p in Permission)}"
        )
    role = Role(subject.role)
    allowed = {p.value for p in ROLE_PERMISSIONS[role]}
    outside = known - allowed
    if outside:
        raise RefusedError(
            f"scope {', '.join(sorted(outside))} is outside the permissions of subject "
            f"{subject.id}'s role {role.value} ({scopes_text(allowed)})"
        )
    return scopes_text(known)


def key_view(row: ApiKey) -> ApiKeyView:
    """The public facts of a stored key."""
    return ApiKeyView(
        key_id=row.key_id,
        subject=row.subject_id,
        label=row.label,
        created_at=as_utc(row.created_at).isoformat(),
        expires_at=_iso(row.expires_at),
        revoked_at=_iso(row.revoked_at),
        last_used_at=_iso(row.last_used_at),
        scopes=key_scopes(row),
    )


def key_scopes(row: ApiKey) -> list[str] | None:
    """The scopes a stored key is limited to, in permission order; None: unscoped."""
    return None if row.scopes is None else row.scopes.split()


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else as_utc(instant).isoformat()
