"""Is the service able to work: the store answers (``GET /readyz``)."""

from __future__ import annotations

from sqlalchemy import text

from clearance.app.context import Application


def store_ready(app: Application) -> None:
    """Return when the store answers a query; ``StoreUnavailableError`` naming it otherwise."""
    with app.read() as session:
        session.execute(text("SELECT 1"))
