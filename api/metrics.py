"""``GET /metrics`` for the HTTP API: the process's Prometheus metrics.

Mount it in ``api.asgi.build`` with ``application.include_router(metrics_router(app))``. It
carries no tenant data (counts and times only), but it tells an outsider the system's traffic,
so like every route it needs a bearer: Prometheus scrapes with an admin's API key
(``authorization: {credentials_file: …}`` in its scrape config).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.auth import CurrentActor
from clearance.app import Application, monitoring


def metrics_router(app: Application) -> APIRouter:
    """A router with ``GET /metrics`` over ``app``'s metrics (and the queue's, on PostgreSQL)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics(actor: CurrentActor) -> Response:
        body, content_type = monitoring.scrape(app, actor)
        return Response(content=body, media_type=content_type)

    return router
