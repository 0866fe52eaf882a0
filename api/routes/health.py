"""Liveness and readiness, the only routes without authentication."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import App
from clearance.app import health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process answers")
def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The process can work: its store answers",
    responses={503: {"description": "The store cannot be reached (problem+json)"}},
)
def readyz(app: App) -> dict[str, str]:
    """``{"status": "ready"}`` when the store answers a query, else 503 (problem+json)."""
    health.store_ready(app)
    return {"status": "ready"}
