"""Who is calling: API keys, passwords and identity-provider tokens turned into an :class:`Actor`.

Every front door that serves anyone but the local operator authenticates here first and
passes the returned actor to the use cases. Every failure is the same
:class:`NotAuthenticatedError` with the same message, whatever went wrong (unknown key, wrong
secret, revoked, expired, disabled subject, unknown user, wrong password, bad token): a caller
learns nothing about which subjects or keys exist. Secrets are compared in constant time, and
an unknown key id or user name costs as much as a wrong secret.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from clearance.app import credentials, tokens
from clearance.app.access import parse_scopes
from clearance.app.actor import Actor, Role
from clearance.app.context import Application
from clearance.app.errors import NotFoundError, NotPermittedError, RefusedError
from clearance.store.identity_tables import ApiKey, Mandate, Subject, SubjectOffice, SubjectParty
from clearance.store.tables import InboundMessage
from core.clock import as_utc
from core.errors import CustomsError

_log = logging.getLogger(__name__)

#: How stale ``api_keys.last_used_at`` may get before a request writes it again.
LAST_USED_GRANULARITY = timedelta(minutes=1)

#: The one answer to every failed authentication.
NOT_AUTHENTICATED = "not authenticated: a valid API key, password or token is required"


class NotAuthenticatedError(CustomsError):
    """The credentials do not identify an enabled subject (HTTP 401); never says why."""

    code = "not_authenticated"

    def __init__(self, message: str = NOT_AUTHENTICATED) -> None:
        super().__init__(message)


def authenticate_key(app: Application, presented: str) -> Actor:
    """The actor of API key ``presented``; records when the key was last used.

    A read, except that ``last_used_at`` is written when it is more than
    :data:`LAST_USED_GRANULARITY` old: a busy client does not turn every request into a write
    (on SQLite, one writer at a time, that would queue requests behind intake). A key verified
    lately is believed from the process's :class:`~clearance.app.key_cache.KeyCache` without
    asking the store (see there for how long, and why that is safe).
    """
    cached = cached_key_actor(app, presented)
    if cached is not None:
        return cached
    now = app.clock.now()
    today = local_today(app)
    generation = app.key_cache.generation  # before reading: see KeyCache.put
    key_id = credentials.key_id_of(presented)
    with app.read() as session:
        row = None
        if key_id is not None:
            row = session.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).one_or_none()
        # Always one constant-time comparison, also for an unknown key id.
        if not credentials.key_matches(presented, None if row is None else row.key_hash):
            raise NotAuthenticatedError()
        assert row is not None and key_id is not None
        if row.revoked_at is not None or _expired(row.expires_at, now):
            raise NotAuthenticatedError()
        subject = session.get(Subject, row.subject_id)
        if subject is None or subject.disabled:
            raise NotAuthenticatedError()
        scopes = None if row.scopes is None else frozenset(row.scopes.split())
        actor = actor_of(session, subject, today, scopes=scopes)
        last_used = None if row.last_used_at is None else as_utc(row.last_used_at)
        expires = None if row.expires_at is None else as_utc(row.expires_at)
    if _stale(last_used, now):
        with app.unit() as session:
            session.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=now))
        last_used = now
    app.key_cache.put(
        credentials.key_hash(presented),
        generation=generation,
        key_id=key_id,
        actor=actor,
        day=today,
        now=now,
        expires_at=expires,
        last_used_at=last_used,
    )
    return actor


def cached_key_actor(app: Application, presented: str) -> Actor | None:
    """The actor of API key ``presented`` if this process verified it lately and nothing is
    due in the store (its ``last_used_at`` is fresh); None: call :func:`authenticate_key`.

    No I/O at all: an asynchronous front door may call it on its event loop.
    """
    cache = app.key_cache
    if not cache.enabled or not presented.startswith(credentials.API_KEY_PREFIX):
        return None
    now = app.clock.now()
    hit = cache.get(credentials.key_hash(presented), now, local_today(app))
    if hit is None or _stale(hit.last_used_at, now):
        return None
    return hit.actor


def forget_verified_keys(app: Application) -> None:
    """Identity changed (a key revoked, a subject disabled, a mandate granted or revoked):
    believe no key verified before. Call it after the change is committed."""
    app.key_cache.clear()


def authenticate_password(app: Application, subject_id: str, password: str) -> Actor:
    """The actor of ``subject_id`` signing in with ``password`` (argon2id hash compared)."""
    with app.read() as session:
        subject = session.get(Subject, subject_id)
        stored = None if subject is None else subject.password_hash
        if not credentials.password_matches(password, stored):
            raise NotAuthenticatedError()
        assert subject is not None
        if subject.disabled:
            raise NotAuthenticatedError()
        return actor_of(session, subject, local_today(app))


def authenticate_jwt(app: Application, token: str) -> Actor:
    """The actor of the subject an identity provider's token names (see :mod:`.tokens`).

    A token with a ``scope`` claim acts with the permissions it names only; names that are
    no permission (``openid``, another API's scopes) are ignored, so a claim that names none
    of ours leaves the token authenticated but permitted nothing a permission guards.
    """
    policy = tokens.TokenPolicy.of(app.settings)
    if policy is None:
        raise NotAuthenticatedError()
    try:
        said = tokens.token_identity(token, policy, app.clock.now())
    except tokens.TokenRefusedError as exc:
        _log.info("token refused: %s", exc)
        raise NotAuthenticatedError() from None
    scopes = None if said.scopes is None else parse_scopes(said.scopes)[0]
    with app.read() as session:
        subject = session.get(Subject, said.subject)
        if subject is None or subject.disabled:
            raise NotAuthenticatedError()
        return actor_of(session, subject, local_today(app), scopes=scopes)


def cached_bearer(app: Application, credential: str) -> Actor | None:
    """The actor of a bearer credential known without I/O (an API key verified lately), or
    None: call :func:`authenticate_bearer`."""
    return cached_key_actor(app, credential.strip())


def authenticate_bearer(app: Application, credential: str) -> Actor:
    """The actor of an ``Authorization: Bearer`` credential: an API key or a JWT."""
    credential = credential.strip()
    if credential.startswith(credentials.API_KEY_PREFIX):
        return authenticate_key(app, credential)
    if credential.count(".") == 2:
        return authenticate_jwt(app, credential)
    raise NotAuthenticatedError()


def act_as(app: Application, actor: Actor, subject_id: str) -> Actor:
    """The local operator acting as subject ``subject_id`` (``customs submit --as``), with
    exactly that subject's rights: no password or key, since the operator holds the store."""
    if actor.role is not Role.OPERATOR:
        raise NotPermittedError("only the local operator may act as another subject")
    with app.read() as session:
        subject = session.get(Subject, subject_id)
        if subject is None:
            raise NotFoundError(f"no subject {subject_id}")
        if subject.disabled:
            raise RefusedError(f"subject {subject_id} is disabled")
        return actor_of(session, subject, local_today(app))


def mailbox_owner(app: Application, party_id: str) -> Actor:
    """The subject a mailbox folder named ``party_id`` belongs to, as the actor its files are
    submitted as: the one enabled trader or broker that holds ``party_id`` as its own.

    A partner's folder is its identity on the file system, as an API key is over HTTP: what
    the partner drops there is filed with exactly that subject's rights (its own party ids and
    the traders that mandated it, :func:`actor_of`), so the envelope's sender is checked as
    it is for the API. :class:`NotAuthenticatedError` (saying why, for the operator's log and
    the ``.error`` file) when no enabled trader or broker holds the party id, or several do.
    """
    roles = (Role.TRADER.value, Role.BROKER.value)
    with app.read() as session:
        subjects = list(
            session.scalars(
                select(Subject)
                .join(SubjectParty, SubjectParty.subject_id == Subject.id)
                .where(SubjectParty.party_id == party_id, Subject.role.in_(roles))
                .order_by(Subject.id)
            ).unique()
        )
        enabled = [s for s in subjects if not s.disabled]
        if len(enabled) != 1:
            held = ", ".join(s.id for s in enabled) if enabled else "no enabled trader or broker"
            raise NotAuthenticatedError(
                f"mailbox folder {party_id} belongs to no one subject: party id {party_id} is "
                f"held by {held} (the folder is named by the party id of one trader or broker)"
            )
        return actor_of(session, enabled[0], local_today(app))


def submitter_senders(app: Application, message_id: int) -> frozenset[str] | None:
    """The senders the subject that submitted stored message ``message_id`` may file as now
    (None: the local operator submitted it; empty: its subject is gone or disabled)."""
    with app.read() as session:
        submitted_by = session.scalar(
            select(InboundMessage.submitted_by).where(InboundMessage.id == message_id)
        )
        if submitted_by is None:
            return None
        subject = session.get(Subject, submitted_by)
        if subject is None or subject.disabled:
            return frozenset()
        return actor_of(session, subject, local_today(app)).party_ids


def actor_of(
    session: Session, subject: Subject, today: date, *, scopes: frozenset[str] | None = None
) -> Actor:
    """The actor a subject acts as today: its own party ids, its brokers' mandates, offices.

    A broker acts for every trader whose mandate is in force on ``today`` (not revoked,
    ``valid_from <= today <= valid_to``), besides its own party ids. ``scopes`` are those of
    the credential it presented (None: unscoped, as a password or an unscoped key).
    """
    parties = set(
        session.scalars(select(SubjectParty.party_id).where(SubjectParty.subject_id == subject.id))
    )
    role = Role(subject.role)
    if role is Role.BROKER:
        parties |= set(mandated_parties(session, subject.id, today))
    offices = session.scalars(
        select(SubjectOffice.office).where(SubjectOffice.subject_id == subject.id)
    )
    return Actor(
        subject=subject.id,
        role=role,
        party_ids=frozenset(parties),
        offices=frozenset(offices),
        scopes=scopes,
    )


def mandated_parties(session: Session, broker_id: str, today: date) -> list[str]:
    """The party ids of the traders whose mandate to ``broker_id`` is in force on ``today``."""
    return list(
        session.scalars(
            select(Mandate.trader_party_id)
            .where(
                Mandate.broker_id == broker_id,
                Mandate.revoked_at.is_(None),
                Mandate.valid_from <= today,
                or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
            )
            .distinct()
        )
    )


def local_today(app: Application) -> date:
    """Today's date in the administration's time zone (mandates are dated in it)."""
    return app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()


def _stale(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or last_used_at + LAST_USED_GRANULARITY <= now


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and as_utc(expires_at) <= now
