"""The procrastinate application over the store's PostgreSQL database.

The queue's tables and functions live in a schema of their own (:data:`QUEUE_SCHEMA`), so the
store's migrations and model comparisons never see them; every queue connection puts that schema
first on its search path.
"""

from __future__ import annotations

from typing import Any

import procrastinate
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from clearance.store.queue_schema import QUEUE_SCHEMA

#: The search path of a connection that talks to the queue.
SEARCH_PATH = f"{QUEUE_SCHEMA}, public"


def uses_queue(engine: Engine) -> bool:
    """Whether the store runs the queue (PostgreSQL) or processes in process (SQLite)."""
    return engine.dialect.name == "postgresql"


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(url: str, **pool: Any) -> procrastinate.App:
    """A procrastinate app on the database of ``url`` (not opened; tasks not registered).

    ``pool`` goes to the psycopg pool (``min_size``, ``max_size`` …).
    """
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(url),
        kwargs={"options": f"-c search_path={SEARCH_PATH.replace(' ', '')}"},
        **pool,
    )
    return procrastinate.App(connector=connector)
