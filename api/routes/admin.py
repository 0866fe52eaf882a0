"""Who may call: the caller's own identity, and for an admin the subjects, their API keys and
the brokers' mandates (the same use cases as ``customs subjects|keys|mandates``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import App, CurrentActor
from api.params import RowId
from api.problems import problems
from clearance.app import Role, keys, mandates, subjects
from clearance.app.identity_views import (
    ApiKeyView,
    Identity,
    IssuedKey,
    MandateView,
    SubjectView,
)

router = APIRouter(tags=["identity"])
ERRORS = problems(403, 404, 409, 422)


class SubjectIn(BaseModel):
    """A subject to add: id, name, role, and the party ids / offices / issuers of its role."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    party_ids: list[str] = Field(default_factory=list, max_length=50)
    offices: list[str] = Field(default_factory=list, max_length=50)
    issuers: list[str] = Field(default_factory=list, max_length=50)


class KeyIn(BaseModel):
    """A key to issue: a label, when it expires (default: a year), and the permissions of the
    subject's role it is limited to (none: all of them)."""

    label: str | None = Field(default=None, max_length=200)
    expires_at: datetime | None = None
    scopes: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list,
        max_length=20,
        description="permissions of the subject's role the key is limited to (read, quote, "
        "submit …); empty: unscoped, every permission of the role",
    )


class MandateIn(BaseModel):
    """A trader's mandate to a broker, from and to a date."""

    broker: str = Field(min_length=1, max_length=64)
    trader_party_id: str = Field(min_length=1, max_length=64)
    valid_from: date | None = None
    valid_to: date | None = None


@router.get("/v1/me", summary="Who the caller is, as the service sees it", response_model=Identity)
def me(app: App, actor: CurrentActor) -> Identity:
    """Role, party ids (with mandates in force), offices and permissions of the caller."""
    return subjects.describe(app, actor)


@router.post(
    "/v1/admin/subjects",
    status_code=201,
    summary="Add a subject",
    response_model=SubjectView,
    responses=ERRORS,
)
def add_subject(body: SubjectIn, app: App, actor: CurrentActor) -> SubjectView:
    """Party ids are checked (USCC, EORI, customs code, or ``edi:SENDER``)."""
    new = subjects.NewSubject(
        id=body.id,
        name=body.name,
        role=body.role,
        party_ids=body.party_ids,
        offices=body.offices,
        issuers=body.issuers,
    )
    return subjects.add_subject(app, actor, new)


@router.get(
    "/v1/admin/subjects",
    summary="Every subject",
    response_model=list[SubjectView],
    responses=ERRORS,
)
def list_subjects(app: App, actor: CurrentActor) -> list[SubjectView]:
    """Subjects with their party ids and offices, never a secret."""
    return subjects.list_subjects(app, actor)


@router.get(
    "/v1/admin/subjects/{subject_id}",
    summary="One subject",
    response_model=SubjectView,
    responses=ERRORS,
)
def show_subject(subject_id: str, app: App, actor: CurrentActor) -> SubjectView:
    """One subject (404 when unknown)."""
    return subjects.show_subject(app, actor, subject_id)


@router.post(
    "/v1/admin/subjects/{subject_id}/disable",
    summary="Disable a subject: none of its credentials works any more",
    response_model=SubjectView,
    responses=ERRORS,
)
def disable_subject(subject_id: str, app: App, actor: CurrentActor) -> SubjectView:
    """Its keys, password and tokens stop authenticating at once."""
    return subjects.disable_subject(app, actor, subject_id)


@router.post(
    "/v1/admin/subjects/{subject_id}/keys",
    status_code=201,
    summary="Issue an API key (shown in this answer only)",
    response_model=IssuedKey,
    responses=ERRORS,
)
def issue_key(subject_id: str, body: KeyIn, app: App, actor: CurrentActor) -> IssuedKey:
    """The key is in ``key`` now and never again: only its hash is stored. A scope that is
    not a permission of the subject's role is refused (422)."""
    return keys.issue_key(
        app,
        actor,
        subject_id,
        label=body.label,
        expires_at=body.expires_at,
        scopes=body.scopes,
    )


@router.get(
    "/v1/admin/keys", summary="API keys (never their secrets)", response_model=list[ApiKeyView]
)
def list_keys(
    app: App, actor: CurrentActor, subject: Annotated[str | None, Query()] = None
) -> list[ApiKeyView]:
    """Every key, or one subject's."""
    return keys.list_keys(app, actor, subject_id=subject)


@router.post(
    "/v1/admin/keys/{key_id}/revocation",
    summary="Revoke an API key",
    response_model=ApiKeyView,
    responses=ERRORS,
)
def revoke_key(key_id: str, app: App, actor: CurrentActor) -> ApiKeyView:
    """The key stops working at once."""
    return keys.revoke_key(app, actor, key_id)


@router.post(
    "/v1/mandates",
    status_code=201,
    summary="A trader mandates a broker",
    response_model=MandateView,
    responses=ERRORS,
)
def grant_mandate(body: MandateIn, app: App, actor: CurrentActor) -> MandateView:
    """An admin, or the trader itself, records the mandate."""
    return mandates.grant_mandate(
        app,
        actor,
        body.broker,
        body.trader_party_id,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )


@router.get("/v1/mandates", summary="Mandates the caller may see", response_model=list[MandateView])
def list_mandates(
    app: App,
    actor: CurrentActor,
    broker: str | None = None,
    trader: str | None = None,
) -> list[MandateView]:
    """An admin sees all; a trader its own; a broker those given to it."""
    return mandates.list_mandates(app, actor, broker_id=broker, trader_party_id=trader)


@router.post(
    "/v1/mandates/{mandate_id}/revocation",
    summary="Revoke a mandate",
    response_model=MandateView,
    responses=ERRORS,
)
def revoke_mandate(mandate_id: RowId, app: App, actor: CurrentActor) -> MandateView:
    """The broker stops acting for the trader at once."""
    return mandates.revoke_mandate(app, actor, mandate_id)
