"""Who is calling: API keys, passwords and identity-provider tokens turned into an :class:`Actor`.

Every front door that serves anyone but the local operator authenticates here first and
passes the returned actor to the use cases. Every failure is the same
:class:`NotAuthenticatedError` with the same message, whatever went wrong (unknown key, wrong
secret, revoked, expired, disabled subject, unknown user, wrong password, bad token): a caller
learns nothing about which subjects or keys exist. Secrets are compared in constant time, and
an unknown key id or user name costs as much as a wrong secret.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clearance.app import credentials
from clearance.app.actor import Actor, Role
from clearance.app.context import Application
from clearance.store.identity_tables import ApiKey, Mandate, Subject, SubjectOffice, SubjectParty
from core.clock import as_utc
from core.errors import CustomsError

#: The one answer to every failed authentication.
NOT_AUTHENTICATED = "not authenticated: a valid API key, password or token is required"


class NotAuthenticatedError(CustomsError):
    """The credentials do not identify an enabled subject (HTTP 401); never says why."""

    code = "not_authenticated"

    def __init__(self, message: str = NOT_AUTHENTICATED) -> None:
        super().__init__(message)


def authenticate_key(app: Application, presented: str) -> Actor:
    """The actor of API key ``presented``; records when the key was last used."""
    now = app.clock.now()
    key_id = credentials.key_id_of(presented)
    with app.unit() as session:
        row = None
        if key_id is not None:
            row = session.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).one_or_none()
        # Always one constant-time comparison, also for an unknown key id.
        if not credentials.key_matches(presented, None if row is None else row.key_hash):
            raise NotAuthenticatedError()
        assert row is not None
        if row.revoked_at is not None or _expired(row.expires_at, now):
            raise NotAuthenticatedError()
        subject = session.get(Subject, row.subject_id)
        if subject is None or subject.disabled:
            raise NotAuthenticatedError()
        row.last_used_at = now
        return actor_of(session, subject, local_today(app))


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


def actor_of(session: Session, subject: Subject, today: date) -> Actor:
    """The actor a subject acts as today: its own party ids, its brokers' mandates, offices.

    A broker acts for every trader whose mandate is in force on ``today`` (not revoked,
    ``valid_from <= today <= valid_to``), besides its own party ids.
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
        subject=subject.id, role=role, party_ids=frozenset(parties), offices=frozenset(offices)
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


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and as_utc(expires_at) <= now
