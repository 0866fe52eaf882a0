"""``/v1/webhooks``: the caller's webhook endpoints (the same use cases as ``customs
webhooks``). Another subject's endpoint answers 404; the signing secret is in the answer to
the creation and to a rotation, and never again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.auth import App, CurrentActor
from api.problems import problems
from clearance.app import webhooks
from clearance.app.webhook_views import (
    CreatedWebhook,
    RotatedSecret,
    WebhookDeliveryView,
    WebhookEndpointView,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
ERRORS = problems(404, 409, 422)
#: An endpoint's id as the API gives it out.
EndpointId = Annotated[str, Path(pattern=r"^ep_[A-Za-z0-9_-]{1,40}$", max_length=43)]


class EndpointIn(BaseModel):
    """An endpoint to register: where to post, which event kinds (none: all), a note."""

    url: str = Field(min_length=8, max_length=2000, examples=["https://example.com/hooks"])
    event_types: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,31}$", max_length=32)]] = (
        Field(default_factory=list, max_length=webhooks.MAX_EVENT_TYPES)
    )
    description: str | None = Field(default=None, max_length=200)


@router.post(
    "",
    status_code=201,
    summary="Register a webhook endpoint (its signing secret is shown in this answer only)",
    response_model=CreatedWebhook,
    responses=ERRORS,
)
def create(body: EndpointIn, app: App, actor: CurrentActor, response: Response) -> CreatedWebhook:
    """Events the caller may see are posted to ``url`` from now on, signed with ``secret``
    as the Standard Webhooks convention says (docs/api.md, "Webhooks")."""
    created = webhooks.register(
        app, actor, body.url, event_types=body.event_types, description=body.description
    )
    response.headers["Location"] = f"/v1/webhooks/{created.endpoint.id}"
    return created


@router.get(
    "",
    summary="The caller's webhook endpoints",
    response_model=list[WebhookEndpointView],
    responses=problems(422),
)
def list_endpoints(app: App, actor: CurrentActor) -> list[WebhookEndpointView]:
    """Oldest first, never a secret."""
    return webhooks.list_endpoints(app, actor)


@router.get(
    "/{endpoint_id}",
    summary="One of the caller's webhook endpoints",
    response_model=WebhookEndpointView,
    responses=ERRORS,
)
def show(endpoint_id: EndpointId, app: App, actor: CurrentActor) -> WebhookEndpointView:
    """Its status, and why it was disabled if it was."""
    return webhooks.show(app, actor, endpoint_id)


@router.delete(
    "/{endpoint_id}",
    status_code=204,
    summary="Remove a webhook endpoint: nothing more is sent to it",
    response_class=Response,
    responses=ERRORS,
)
def remove(endpoint_id: EndpointId, app: App, actor: CurrentActor) -> Response:
    """Its delivery records go with it."""
    webhooks.remove(app, actor, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="A new signing secret (shown in this answer only); the old one stops now",
    response_model=RotatedSecret,
    responses=ERRORS,
)
def rotate_secret(endpoint_id: EndpointId, app: App, actor: CurrentActor) -> RotatedSecret:
    """Every later attempt is signed with the new secret."""
    return webhooks.rotate_secret(app, actor, endpoint_id)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="An endpoint's deliveries, newest first",
    response_model=list[WebhookDeliveryView],
    responses=ERRORS,
)
def deliveries(
    endpoint_id: EndpointId,
    app: App,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=webhooks.MAX_DELIVERY_PAGE)] = 100,
) -> list[WebhookDeliveryView]:
    """Attempts, the last status or error, and when the next attempt is due."""
    return webhooks.deliveries(app, actor, endpoint_id, limit=limit)
