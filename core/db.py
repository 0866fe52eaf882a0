"""Database engine and the unit of work.

Services never commit; the request or job boundary does, through :class:`UnitOfWork`,
which rolls back unless ``commit()`` was called (cosmicpython's pattern).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, cast

from sqlalchemy import Connection, Dialect, Engine, RootTransaction, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from core.errors import ConfigurationError, StoreFullError, StoreUnavailableError


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
        event.listen(engine, "connect", _sqlite_pragmas)  # a pool event: see _SQLiteConnection
        engine._connection_cls = _SQLiteConnection
    return engine


#: Execution option of a unit of work whose commit must survive a power loss, not only a crash
#: of the process (:class:`UnitOfWork` ``durable=True``: the receipt of a trader's raw bytes).
DURABLE = "customs_durable"
#: The ``synchronous`` level each SQLite connection has now, in its pool record's ``info``.
_SYNCHRONOUS = "customs_synchronous"


class _SQLiteConnection(Connection):
    """SQLite's connections: BEGIN IMMEDIATE, at the unit's ``synchronous`` level, at each begin.

    This was a ``begin`` listener on the engine. Any connection listener on an engine makes
    SQLAlchemy dispatch every connection's events (its start, begin, commit, each statement
    and cursor execution) through listener collections it builds anew for each connection:
    about 20 µs of CPU per unit of work and a few per statement, two units and some twenty
    statements per interchange (ADR 0006, stop 26). The statements still go through
    :func:`_on_cursor`, so ``before_cursor_execute`` listeners, where a test or a benchmark
    adds them, see them as before.
    """

    def _begin_impl(self, transaction: RootTransaction) -> None:
        super()._begin_impl(transaction)  # its log line, any "begin" listener, the driver's
        _sqlite_begin_immediate(self)


def _sqlite_begin_immediate(connection: Connection) -> None:
    # In WAL mode synchronous=NORMAL does not sync the log at a commit: the commit survives a
    # crash of the process but may roll back after a power loss or an OS crash. That is fine
    # for processing (the raw bytes are kept, and a message left `received` is processed
    # again), not for the receipt of the bytes themselves: a durable unit syncs the log at
    # its commit (FULL), which also makes every earlier commit in the log durable. The level
    # cannot change inside a transaction, so it is set here, before BEGIN, when it differs.
    wanted = "FULL" if connection.get_execution_options().get(DURABLE) else "NORMAL"
    if connection.info.get(_SYNCHRONOUS) != wanted:
        _on_cursor(connection, f"PRAGMA synchronous={wanted}", (), False)
        connection.info[_SYNCHRONOUS] = wanted
    # A deferred SQLite transaction that reads first and writes later fails at once with
    # "database is locked" when another writer got there in between (the busy timeout does
    # not apply to that upgrade). Taking the write lock at BEGIN makes writers queue instead.
    _on_cursor(connection, "BEGIN IMMEDIATE", (), False)


#: Parameters as the driver takes them: a tuple (SQLite's ``?``) or a mapping (psycopg's
#: ``%(name)s``); for many, a list of those.
DriverParameters = tuple[Any, ...] | dict[str, Any]


def run_driver(
    connection: Connection,
    statement: str,
    parameters: DriverParameters | list[DriverParameters] = (),
    description: list[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Run the driver's SQL ``statement`` on ``connection``'s DB-API cursor; the rows it returns.

    What ``connection.exec_driver_sql`` does for the pipeline's prebuilt statements, without
    SQLAlchemy's execution context and result object: about 30 µs of CPU a statement, some
    twenty statements per interchange (ADR 0006, stop 24). A list of parameter sets is an
    executemany (a list of one, an execute, as SQLAlchemy does). What SQLAlchemy would do
    around the driver is kept: the ``before_cursor_execute`` listeners see (and may rewrite)
    the statement, ``after_cursor_execute`` follows, and a driver error is raised as
    SQLAlchemy raises it (a :class:`~sqlalchemy.exc.DBAPIError`, the connection invalidated on
    a disconnect), so :func:`store_fault` tells a full disk or a lost store apart as before.
    Outside a transaction, or with ``echo`` on, it is ``exec_driver_sql`` itself.
    ``description``, when given, receives the cursor's description of the rows.
    """
    if not connection.in_transaction() or connection._echo:
        result = connection.exec_driver_sql(statement, parameters)
        if not result.returns_rows:
            return []
        if description is not None:
            description.extend(result.cursor.description)
        return [tuple(row) for row in result]
    if isinstance(parameters, list):
        if len(parameters) == 1:
            return _on_cursor(connection, statement, parameters[0], False, description)
        return _on_cursor(connection, statement, parameters, True, description)
    return _on_cursor(connection, statement, parameters, False, description)


def _on_cursor(
    connection: Connection,
    statement: str,
    parameters: Any,
    many: bool,
    description: list[Any] | None = None,
) -> list[tuple[Any, ...]]:
    # As Connection._exec_single_context does (sqlalchemy 2.x): listeners, then the driver,
    # every error through the connection's own handler, which wraps and re-raises it.
    cursor = connection.connection.cursor()
    try:
        listened = connection._has_events or connection.engine._has_events
        if listened:
            for before in connection.dispatch.before_cursor_execute:
                statement, parameters = before(
                    connection, cursor, statement, parameters, None, many
                )
        if many:
            cursor.executemany(statement, parameters)
        elif parameters:
            cursor.execute(statement, parameters)
        else:  # as SQLAlchemy: no parameters at all (psycopg would read a % as a placeholder)
            cursor.execute(statement)
        if listened:
            connection.dispatch.after_cursor_execute(
                connection, cursor, statement, parameters, None, many
            )
        rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        if description is not None and cursor.description:
            description.extend(cursor.description)
        cursor.close()
    except BaseException as exc:
        connection._handle_dbapi_exception(exc, statement, parameters, cursor, None)
    return rows


#: The kind of Core statement a :class:`DriverStatement` holds (a SELECT, an INSERT …).
_Statement = TypeVar("_Statement", bound=ClauseElement)


class DriverStatement(Generic[_Statement]):
    """A Core statement compiled once per dialect, run on the driver's cursor (:func:`run_driver`).

    A Core ``execute`` of a cached statement compiles nothing but still builds an execution
    context, processes a parameter dictionary and wraps the rows in a result object: more
    than a small indexed statement costs (ADR 0006, stops 24-26). Worked out here once per
    dialect: the driver's SQL, its parameters' names in order, each one's bind processor and
    the values the statement binds itself (a LIMIT), and each selected column's result
    processor, the ones SQLAlchemy would apply: the values sent and the rows read are the
    ones a Core execution sends and reads.
    """

    __slots__ = ("_built", "statement")

    def __init__(self, statement: _Statement) -> None:
        self.statement = statement
        self._built: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        """What :attr:`statement` is for ``dialect`` (compiled on first use)."""
        built = self._built.get(dialect.name)
        if built is None:
            built = self._built[dialect.name] = _Compiled(self.statement, dialect)
        return built

    def run(
        self, connection: Connection, values: dict[str, Any] | list[dict[str, Any]]
    ) -> list[tuple[Any, ...]]:
        """Run the statement with ``values`` (a list: an executemany); the processed rows."""
        built = self.compiled(connection.dialect)
        if isinstance(values, list):
            parameters: DriverParameters | list[DriverParameters] = [
                built.parameters(v) for v in values
            ]
        else:
            parameters = built.parameters(values)
        if built.results is None and built.columns:  # the first rows: learn their processors
            description: list[Any] = []
            rows = run_driver(connection, built.sql, parameters, description)
            if description:
                built.learn(connection.dialect, description)
            return built.processed(rows)
        return built.processed(run_driver(connection, built.sql, parameters))

    def rows(self, connection: Connection, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of the statement on ``connection`` with the bound ``values``."""
        return self.run(connection, values)

    def first(self, connection: Connection, **values: Any) -> Any:
        """The first column of the first row (None without rows)."""
        rows = self.run(connection, values)
        return rows[0][0] if rows else None


class _Compiled:
    """:class:`DriverStatement` for one dialect."""

    __slots__ = ("columns", "fixed", "names", "positional", "processors", "results", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or compiled.binds)
        self.processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        ]
        # The values the statement carries (LIMIT 1); None for those given per call.
        self.fixed = {name: compiled.params.get(name) for name in self.names}
        self.positional = compiled.positiontup is not None
        # A SELECT's columns, a DML statement's RETURNING (none for text or a plain UPDATE).
        self.columns = list(getattr(statement, "exported_columns", ()))
        #: Each column's result processor, known from the first rows read: as in SQLAlchemy,
        #: a processor may depend on the type the driver reports (PostgreSQL's numerics).
        self.results: list[Any] | None = None

    def learn(self, dialect: Dialect, description: list[Any]) -> None:
        """The result processors for the columns the driver described."""
        results = [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(self.columns, description, strict=True)
        ]
        self.results = results if any(results) else []

    def parameters(self, values: dict[str, Any]) -> DriverParameters:
        fixed = self.fixed
        given = [values[name] if name in values else fixed[name] for name in self.names]
        processed = [
            value if process is None else process(value)
            for value, process in zip(given, self.processors, strict=True)
        ]
        if self.positional:
            return tuple(processed)
        return dict(zip(self.names, processed, strict=True))

    def processed(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        results = self.results
        if not results or not rows:
            return rows
        return [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row, results, strict=True)
            )
            for row in rows
        ]


def _sqlite_pragmas(dbapi_connection: object, record: ConnectionPoolEntry) -> None:
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
    record.info[_SYNCHRONOUS] = "NORMAL"


class UnitOfWork:
    """One transaction: ``with UnitOfWork(factory) as uow: ...; uow.commit()``.

    ``durable=True`` makes the commit survive a power loss on SQLite too (its log synced at
    the commit); PostgreSQL syncs every commit already.
    """

    def __init__(self, session_factory: sessionmaker[Session], *, durable: bool = False) -> None:
        self._factory = session_factory
        self._durable = durable
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session of the open unit of work."""
        if self._session is None:
            raise RuntimeError("unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        if self._durable:
            # The options are on the connection before its BEGIN (the hook above reads them).
            self._session.connection(execution_options={DURABLE: True})
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


#: What went wrong with the store, as the metric ``customs_database_errors_total`` labels it.
StoreFault = Literal["unavailable", "full"]
#: SQLSTATEs of a server that is going away or not there yet: admin_shutdown, crash_shutdown,
#: cannot_connect_now (starting up, shutting down); class 08 is every connection exception.
_GONE = frozenset({"57P01", "57P02", "57P03"})
#: disk_full; 53xxx is the class "insufficient resources".
_DISK_FULL = "53100"
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def store_fault(exc: BaseException) -> StoreFault | None:
    """Whether ``exc`` (or what caused it) says the store went away or its disk is full.

    Such a failure is the store's, not the message's: the work rolled back, nothing of it was
    written, and the same work succeeds once the store is back. Everything else (a constraint
    violated, a bug) is None. The chain of causes is followed, so an error re-raised by a
    layer above the database is still recognised.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        fault = _fault_of(current)
        if fault is not None:
            return fault
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return None


def _fault_of(exc: BaseException) -> StoreFault | None:
    if isinstance(exc, StoreFullError):
        return "full"
    if isinstance(exc, StoreUnavailableError):
        return "unavailable"
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        return "full"
    if isinstance(exc, PendingRollbackError):
        return None  # follows the real error, which the chain reaches
    if isinstance(exc, DBAPIError):
        return _dbapi_fault(exc)
    # The driver's own errors, as the queue (procrastinate on psycopg) raises them unwrapped.
    return _driver_fault(exc) if _is_psycopg(exc) else None


def _dbapi_fault(exc: DBAPIError) -> StoreFault | None:
    text = str(exc.orig).lower()
    if getattr(exc.orig, "sqlstate", None) == _DISK_FULL or "database or disk is full" in text:
        return "full"
    if "no space left on device" in text:
        return "full"
    if exc.connection_invalidated or exc.statement is None:
        return "unavailable"
    if "unable to open" in text or "disk i/o error" in text:
        return "unavailable"
    orig = exc.orig
    return _driver_fault(orig) if orig is not None and _is_psycopg(orig) else None


def _is_psycopg(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("psycopg", "psycopg_pool"))


def _driver_fault(exc: BaseException) -> StoreFault | None:
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate == _DISK_FULL or "no space left on device" in str(exc).lower():
        return "full"
    if isinstance(sqlstate, str) and (sqlstate in _GONE or sqlstate.startswith("08")):
        return "unavailable"
    name = type(exc).__name__
    if name in ("OperationalError", "InterfaceError", "PoolTimeout", "PoolClosed"):
        # psycopg raises these without a SQLSTATE for a lost or refused connection.
        return "unavailable" if sqlstate is None else None
    return None


def store_error(url: str, exc: BaseException) -> StoreUnavailableError | None:
    """The error to raise for a store fault in ``exc`` (None: not the store's fault)."""
    fault = store_fault(exc)
    if fault is None:
        return None
    if isinstance(exc, StoreUnavailableError):
        return exc
    if fault == "full":
        return StoreFullError(
            f"the database {shown_url(url)} has no space left: {_reason(exc)} (free space on "
            "its disk; nothing was written, the work is tried again)"
        )
    if isinstance(exc, DBAPIError):
        return StoreUnavailableError(_describe(url, exc))
    return StoreUnavailableError(
        f"the database {shown_url(url)} went away: {_reason(exc)} (check that the server is "
        "running; the work is tried again)"
    )


@contextmanager
def store_errors(url: str) -> Iterator[None]:
    """Turn a failure to reach or open the database into one :class:`StoreUnavailableError` line.

    A refused connection, an unknown host, a missing database, an SQLite file that cannot be
    opened, a connection lost mid-statement (a server restart) all reach the front doors as
    one sentence naming the URL (password hidden) and what to check, instead of a driver
    traceback; a full disk as :class:`StoreFullError`. Errors of a statement that did reach
    the database (constraint violations …) pass through unchanged.
    """
    try:
        yield
    except StoreUnavailableError:
        raise
    except OSError:
        raise  # a file of its own (a mailbox folder): not the database's disk
    except Exception as exc:
        # DBAPIError from SQLAlchemy, and the driver's own errors (or procrastinate's
        # wrapping of them) from work done on a raw connection, like queueing a job.
        error = store_error(url, exc)
        if error is None:
            raise
        raise error from exc


def _reason(exc: BaseException) -> str:
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


def _describe(url: str, exc: DBAPIError) -> str:
    reason = _reason(exc)
    if url.startswith("sqlite"):
        hint = "check that the directory exists and is writable, or set CUSTOMS_DATABASE_URL"
    else:
        hint = "check that the server is running and CUSTOMS_DATABASE_URL names it"
    return f"cannot open the database {shown_url(url)}: {reason} ({hint})"
