"""What the webhook use cases return. No view carries a secret, except
:class:`CreatedWebhook` and :class:`RotatedSecret`, which carry the new one exactly once."""

from __future__ import annotations

from clearance.app.views import View


class WebhookEndpointView(View):
    """An endpoint as its owner sees it."""

    id: str
    owner: str
    url: str
    description: str | None
    #: Event kinds sent; empty: every kind the owner may see.
    event_types: list[str]
    status: str
    disabled_reason: str | None
    disabled_at: str | None
    created_at: str
    secret_rotated_at: str | None


class CreatedWebhook(View):
    """A new endpoint and its signing secret (shown here and never again)."""

    secret: str
    endpoint: WebhookEndpointView


class RotatedSecret(View):
    """An endpoint's new signing secret (shown here and never again); the old one stops now."""

    secret: str
    endpoint: WebhookEndpointView


class WebhookDeliveryView(View):
    """One event posted (or to be posted) to an endpoint."""

    id: int
    event_id: int
    event_type: str
    webhook_id: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: str | None
    created_at: str


class WebhookRun(View):
    """What one delivery run did."""

    queued: int
    delivered: int
    retrying: int
    failed: int
    endpoints_disabled: int
