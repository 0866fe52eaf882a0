"""``GET /metrics`` for the HTTP API: the process's Prometheus metrics.

Mount it in ``api.asgi.build`` with ``application.include_router(metrics_router(app))``. It
carries no tenant data (counts and times only); restrict who can reach it at the network edge
as for any metrics endpoint.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from clearance.app import Application, monitoring


def metrics_router(app: Application) -> APIRouter:
    """A router with ``GET /metrics`` over ``app``'s metrics (and the queue's, on PostgreSQL)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        body, content_type = monitoring.render(app)
        return Response(content=body, media_type=content_type)

    return router
