"""The application: engine, settings, clock and pipeline, and one unit of work per use case.

Front doors open one :class:`Application` per process (``open_application``) and pass it to
the use cases of :mod:`clearance.app`. A use case runs its work inside :meth:`Application.unit`
(commit on success, roll back on any error) or :meth:`Application.read` (never commits).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

from clearance.app.errors import RefusedError
from clearance.app.key_cache import KeyCache
from clearance.intake.pipeline import Pipeline
from clearance.store.migrate import upgrade
from core.clock import Clock, SystemClock
from core.db import UnitOfWork, make_engine, session_factory, shown_url, store_errors
from core.settings import Settings, load_settings


@dataclass
class Application:
    """What every use case needs; one per process, shared by every request it serves."""

    engine: Engine
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory of the store."""
        return session_factory(self.engine)

    @cached_property
    def pipeline(self) -> Pipeline:
        """The processing pipeline with the standard declaration steps."""
        return Pipeline.standard(self.engine, self.settings, self.clock)

    @cached_property
    def key_cache(self) -> KeyCache:
        """API keys this process verified lately (:mod:`clearance.app.key_cache`)."""
        return KeyCache(self.settings.key_cache_seconds)

    @property
    def database(self) -> str:
        """The store's URL as it may be shown (password hidden)."""
        return shown_url(self.engine.url.render_as_string(hide_password=False))

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends normally, rolled back otherwise."""
        with self.guard(), UnitOfWork(self.sessions) as uow:
            yield uow.session
            uow.commit()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work: whatever the block did is rolled back."""
        with self.guard(), UnitOfWork(self.sessions) as uow:
            yield uow.session

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Report an unreachable store as one :class:`core.errors.StoreUnavailableError` line."""
        with store_errors(self.engine.url.render_as_string(hide_password=False)):
            try:
                yield
            except DataError as exc:
                # A value the database refuses by its form (a NUL character in text on
                # PostgreSQL, a number out of its range): the caller's input is wrong, not the
                # store; answered as a refusal (HTTP 422), never as a fault.
                raise RefusedError(f"a value the store cannot hold: {exc.orig}") from exc

    def migrate(self) -> None:
        """Bring the store's schema to the newest revision (idempotent)."""
        with self.guard():
            upgrade(self.engine)


def open_application(
    settings: Settings | None = None, clock: Clock | None = None, *, migrate: bool = True
) -> Application:
    """The application over the configured store, migrated to the newest schema first."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    app = Application(engine, settings, clock or SystemClock())
    if migrate:
        app.migrate()
    return app
