"""Webhooks' pure parts: signing, secrets at rest, the retry schedule, target checks, posting.

Nothing here touches the database; the use cases (:mod:`clearance.app.webhooks`,
:mod:`clearance.app.webhook_delivery`) keep the endpoints and deliveries.
"""
