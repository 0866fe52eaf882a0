"""Database engine and the unit of work.

Services never commit; the request or job boundary does, through :class:`UnitOfWork`,
which rolls back unless ``commit()`` was called (cosmicpython's pattern).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ConfigurationError, StoreUnavailableError


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` with the pragmas the project relies on."""
    try:
        engine = create_engine(url, echo=echo, future=True)
    except ModuleNotFoundError as exc:  # e.g. psycopg not installed
        raise ConfigurationError(f"database driver missing for {url.split(':')[0]}: {exc}") from exc
    except ArgumentError as exc:
        raise ConfigurationError(
            f"CUSTOMS_DATABASE_URL is not a database URL ({exc}); expected e.g. "
            "sqlite:///./customs.db or postgresql+psycopg://user@host:5432/dbname"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Connection) -> None:
    # A deferred SQLite transaction that reads first and writes later fails at once with
    # "database is locked" when another writer got there in between (the busy timeout does
    # not apply to that upgrade). Taking the write lock at BEGIN makes writers queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer;
    # a busy timeout makes a second writer wait instead of failing at once. The driver's
    # own transaction handling is switched off so that the "begin" hook above controls it.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class UnitOfWork:
    """One transaction: ``with UnitOfWork(factory) as uow: ...; uow.commit()``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session of the open unit of work."""
        if self._session is None:
            raise RuntimeError("unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()  # a no-op after commit(); undoes everything otherwise
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """Make the work of this unit durable."""
        self.session.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def shown_url(url: str) -> str:
    """``url`` as it may be printed: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


@contextmanager
def store_errors(url: str) -> Iterator[None]:
    """Turn a failure to reach or open the database into one :class:`StoreUnavailableError` line.

    A refused connection, an unknown host, a missing database or an SQLite file that cannot be
    opened all reach the front doors as one sentence naming the URL (password hidden) and what
    to check, instead of a driver traceback. Errors of a statement that did reach the database
    (constraint violations …) pass through unchanged.
    """
    try:
        yield
    except DBAPIError as exc:
        if not _unreachable(exc):
            raise
        raise StoreUnavailableError(_describe(url, exc)) from exc


def _unreachable(exc: DBAPIError) -> bool:
    # An error while connecting has no statement; SQLite reports an unopenable file on the
    # first statement, as "unable to open database file".
    text = str(exc.orig).lower()
    return exc.connection_invalidated or exc.statement is None or "unable to open" in text


def _describe(url: str, exc: DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc).__name__
    if url.startswith("sqlite"):
        hint = "check that the directory exists and is writable, or set CUSTOMS_DATABASE_URL"
    else:
        hint = "check that the server is running and CUSTOMS_DATABASE_URL names it"
    return f"cannot open the database {shown_url(url)}: {reason} ({hint})"
