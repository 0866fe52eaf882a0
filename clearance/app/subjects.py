"""Subjects: add, list, show, disable, set a password; and ``describe``, who the caller is.

Only an admin (and the local operator) manages subjects (``Permission.IDENTITY``). Party ids
are checked on entry (:mod:`.party_ids`); an officer needs the offices it works for, each one
of the customs-offices registry (docs/offices.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.app import credentials
from clearance.app.access import Permission, effective_permissions, require
from clearance.app.actor import OFFICE_ROLES, Actor, Role
from clearance.app.context import Application
from clearance.app.errors import ConflictError, NotFoundError, RefusedError
from clearance.app.identity import forget_verified_keys
from clearance.app.identity_views import Identity, PartyIdView, SubjectView
from clearance.app.party_ids import parse_party_id
from clearance.store.identity_tables import Subject, SubjectOffice, SubjectParty
from clearance.store.office_registry import offices_in_unit
from core.clock import as_utc

_SUBJECT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_OFFICE = re.compile(r"^\d{4}$")
EMPTY_REGISTRY_FOR_SUBJECTS = (
    "the customs-offices registry is empty, so no office can be assigned: load it first "
    "with 'customs offices load FILE' or POST /v1/offices"
)
#: An agency is known by the issuer name its licences carry (``issuer`` in the registry).
ISSUER_SCHEME = "issuer"


@dataclass(frozen=True, slots=True)
class NewSubject:
    """What an admin gives to add a subject."""

    id: str
    name: str
    role: Role
    #: USCC, EORI or customs code (``scheme:value`` or bare); traders need at least one.
    party_ids: Sequence[str] = ()
    #: 4-digit customs offices; officers need at least one.
    offices: Sequence[str] = ()
    #: Issuer names an agency's licences carry (e.g. ``MOFCOM Shanghai``).
    issuers: Sequence[str] = ()
    password: str | None = None


def add_subject(app: Application, actor: Actor, new: NewSubject) -> SubjectView:
    """Add a subject (``ConflictError`` when its id is taken, ``RefusedError`` on bad input)."""
    require(actor, Permission.IDENTITY)
    parties = _checked_parties(new)
    offices = _checked_offices(new)
    with app.unit() as session:
        if session.get(Subject, new.id) is not None:
            raise ConflictError(f"subject {new.id} exists already")
        _registered_offices(session, offices)
        subject = Subject(
            id=new.id,
            name=new.name,
            role=new.role.value,
            disabled=False,
            password_hash=None if new.password is None else credentials.hash_password(new.password),
            created_at=app.clock.now(),
        )
        session.add(subject)
        session.flush()
        session.add_all(
            SubjectParty(subject_id=new.id, scheme=scheme, party_id=value)
            for scheme, value in parties
        )
        session.add_all(SubjectOffice(subject_id=new.id, office=office) for office in offices)
        session.flush()
        return subject_view(session, subject)


def list_subjects(app: Application, actor: Actor) -> list[SubjectView]:
    """Every subject, by id."""
    require(actor, Permission.IDENTITY)
    with app.read() as session:
        rows = session.scalars(select(Subject).order_by(Subject.id))
        return [subject_view(session, row) for row in rows]


def show_subject(app: Application, actor: Actor, subject_id: str) -> SubjectView:
    """One subject (``NotFoundError`` if there is none)."""
    require(actor, Permission.IDENTITY)
    with app.read() as session:
        return subject_view(session, _subject(session, subject_id))


def disable_subject(app: Application, actor: Actor, subject_id: str) -> SubjectView:
    """Disable a subject: none of its keys, passwords or tokens authenticates any more."""
    require(actor, Permission.IDENTITY)
    with app.unit() as session:
        subject = _subject(session, subject_id, for_update=True)
        subject.disabled = True
        view = subject_view(session, subject)
    forget_verified_keys(app)  # committed: its keys stop working in this process at once
    return view


def set_password(app: Application, actor: Actor, subject_id: str, password: str) -> SubjectView:
    """Set (or replace) a subject's password; only its argon2id hash is stored."""
    require(actor, Permission.IDENTITY)
    if len(password) < 12:
        raise RefusedError("a password needs at least 12 characters")
    with app.unit() as session:
        subject = _subject(session, subject_id, for_update=True)
        subject.password_hash = credentials.hash_password(password)
        # Whoever signed in with the old password is signed out (console_sessions.resume).
        subject.sessions_valid_from = app.clock.now()
        return subject_view(session, subject)


def describe(app: Application, actor: Actor) -> Identity:
    """Who ``actor`` is and what it acts as (any authenticated caller may ask)."""
    with app.read() as session:
        subject = session.get(Subject, actor.subject)
        own = (
            sorted(actor.party_ids)
            if subject is None
            else sorted(
                session.scalars(
                    select(SubjectParty.party_id).where(SubjectParty.subject_id == subject.id)
                )
            )
        )
        return Identity(
            subject=actor.subject,
            name=actor.subject if subject is None else subject.name,
            role=actor.role.value,
            party_ids=sorted(actor.party_ids),
            own_party_ids=own,
            offices=sorted(actor.offices),
            permissions=sorted(p.value for p in effective_permissions(actor)),
            scopes=None if actor.scopes is None else sorted(actor.scopes),
        )


def subject_view(session: Session, subject: Subject) -> SubjectView:
    """The view of a stored subject with its party ids and offices."""
    parties = session.scalars(
        select(SubjectParty).where(SubjectParty.subject_id == subject.id).order_by(SubjectParty.id)
    )
    offices = session.scalars(
        select(SubjectOffice.office)
        .where(SubjectOffice.subject_id == subject.id)
        .order_by(SubjectOffice.office)
    )
    return SubjectView(
        id=subject.id,
        name=subject.name,
        role=subject.role,
        parties=[PartyIdView(scheme=p.scheme, party_id=p.party_id) for p in parties],
        offices=list(offices),
        disabled=subject.disabled,
        has_password=subject.password_hash is not None,
        created_at=as_utc(subject.created_at).isoformat(),
    )


def _subject(session: Session, subject_id: str, *, for_update: bool = False) -> Subject:
    query = select(Subject).where(Subject.id == subject_id)
    if for_update:
        query = query.with_for_update()
    subject = session.scalars(query).one_or_none()
    if subject is None:
        raise NotFoundError(f"no subject {subject_id}")
    return subject


def _checked_parties(new: NewSubject) -> list[tuple[str, str]]:
    if not _SUBJECT_ID.match(new.id):
        raise RefusedError(
            f"subject id {new.id!r}: 2-64 characters of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if new.role is Role.OPERATOR:
        raise RefusedError("the operator is whoever runs the command locally, not a subject")
    if not new.name.strip():
        raise RefusedError("a subject needs a name")
    parties = [(p.scheme, p.value) for p in map(parse_party_id, new.party_ids)]
    if new.role is Role.TRADER and not parties:
        raise RefusedError("a trader needs its party id (USCC, EORI or customs code)")
    if new.issuers and new.role is not Role.AGENCY:
        raise RefusedError("only an agency is known by issuer names")
    issuers = [(ISSUER_SCHEME, name.strip()) for name in new.issuers if name.strip()]
    if new.role is Role.AGENCY and not issuers and not parties:
        raise RefusedError("an agency needs the issuer name its licences carry")
    return _unique(parties + issuers)


def _registered_offices(session: Session, offices: list[str]) -> None:
    """Refuse offices the customs-offices registry does not hold (all of them when it is
    empty: an officer of an unknown office would see nothing, and a typing error would
    go unnoticed)."""
    if not offices:
        return
    registry = offices_in_unit(session)
    if not registry:
        raise RefusedError(f"{EMPTY_REGISTRY_FOR_SUBJECTS} ({', '.join(offices)})")
    unknown = [office for office in offices if office not in registry]
    if unknown:
        raise RefusedError(
            f"customs offices not in the customs-offices registry: {', '.join(unknown)} "
            "(customs offices list, GET /v1/offices)"
        )


def _checked_offices(new: NewSubject) -> list[str]:
    bad = [office for office in new.offices if not _OFFICE.match(office)]
    if bad:
        raise RefusedError(f"customs offices have 4 digits: {', '.join(bad)}")
    if new.role in OFFICE_ROLES and not new.offices:
        raise RefusedError("an officer needs the customs offices it works for")
    return sorted(set(new.offices))


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for scheme, value in pairs:
        seen.setdefault(value, (scheme, value))
    return list(seen.values())
