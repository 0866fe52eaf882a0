"""Install procrastinate's schema in :data:`QUEUE_SCHEMA`, apart from the store's tables.

Called by migration 0014 on PostgreSQL (``customs init``). Installing is idempotent: a schema
that already holds the job table is left as it is, queued jobs included.
"""

from __future__ import annotations

from typing import Any

from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, text

#: The PostgreSQL schema that holds procrastinate's tables and functions.
QUEUE_SCHEMA = "procrastinate"


def installed(connection: Connection) -> bool:
    """Whether the queue's job table exists."""
    found = connection.execute(
        text("SELECT to_regclass(:name)"), {"name": f"{QUEUE_SCHEMA}.procrastinate_jobs"}
    ).scalar()
    return found is not None


def install(connection: Connection) -> None:
    """Create the queue schema with procrastinate's tables, types and functions."""
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}"))
    if installed(connection):
        return
    driver: Any = connection.connection.driver_connection
    # The schema's SQL holds many statements and $$ bodies: sent as one simple query on the
    # driver connection, inside the migration's transaction, with the queue schema first.
    with driver.cursor() as cursor:
        cursor.execute(f"SET LOCAL search_path TO {QUEUE_SCHEMA}, public")
        cursor.execute(SchemaManager.get_schema())
        cursor.execute("SET LOCAL search_path TO public")


def drop(connection: Connection) -> None:
    """Remove the queue schema and every job in it."""
    connection.execute(text(f"DROP SCHEMA IF EXISTS {QUEUE_SCHEMA} CASCADE"))
