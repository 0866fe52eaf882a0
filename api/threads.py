"""How many use cases one ``customs serve`` process runs at once in its thread pool.

Every route's use case runs in anyio's thread pool, 40 threads unless told otherwise. Beyond
the store's connection pool (SQLAlchemy's 5 + 10 overflow) a thread only waits for a
connection, and with dozens of clients dozens of threads take turns at the one interpreter
lock on two cores: the server spent 7-12 % more CPU per submission at 32 clients with 40
threads than with 15 or 6 (docs/api.md, Figures, stop 23). So the limit is the connection
pool's size when the API does the work itself. When submissions are queued for the workers
(PostgreSQL, ``CUSTOMS_API_INTAKE=queue``), a request's thread mostly waits for a worker's
answer holding no connection, and the pool's own limit stays. ``CUSTOMS_API_THREADS`` sets it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio.to_thread

from api.settings import ApiSettings
from clearance.app import Application


def thread_limit(settings: ApiSettings, application: Application) -> int | None:
    """Threads to run use cases in, or None to keep the thread pool's own limit."""
    if settings.threads is not None:
        return settings.threads
    engine = application.engine
    if engine.dialect.name != "sqlite" and settings.intake == "queue":
        return None  # threads wait for the workers' answers, not for the store
    # A queue of connections (SQLAlchemy's QueuePool) has a size and an overflow, the latter
    # kept only in its state (-1: no limit); other pools (an in-memory SQLite store shares one
    # connection) have no such bound. Read without importing the store's library (api may not).
    size = getattr(engine.pool, "size", None)
    overflow = getattr(engine.pool, "_max_overflow", None)
    if not callable(size) or not isinstance(overflow, int) or overflow < 0:
        return None
    connections: int = size() + overflow
    return connections


def limiting_threads(tokens: int | None) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan that sets the thread pool's limit to ``tokens`` (None: leave it) at startup.

    The limit belongs to the event loop, so it is set on the serving loop itself.
    """

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        if tokens is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = tokens
        yield

    return lifespan
