"""Numbers handed out apart from the unit of work (ADR 0013).

A counter row that a unit of work updates stays locked until that unit commits, so every other
unit that draws from the same counter waits for it: parallel workers ran one interchange at a
time (issue 15). On PostgreSQL each counter is therefore a *sequence* (``nextval`` takes no
lock that outlives the statement, and never rolls back): a rolled-back unit of work leaves a
gap, never a duplicate. A sequence is created on first use, in a short transaction of its own,
starting after the value its counter row holds (so an upgraded store continues where it was).

On SQLite there is a single writer anyway, and the counter row keeps numbers gapless, as before.

:func:`serialise` is the other use of a counter row: a named mutex held to the end of the
transaction (registry changes, the FX goods sync). It keeps the row lock on both stores, and
must not be taken by the intake pipeline's units of work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import cast
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Insert,
    Integer,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.store.tables import ControlReferenceCounter
from core.db import run_driver

#: The counter rows (one per name): the seed of a sequence, SQLite's numbers, the mutexes.
NAMED = cast(Table, ControlReferenceCounter.__table__)

#: Sequences known to exist, per engine (a new engine asks again).
_KNOWN: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()


def on_postgresql(session: Session) -> bool:
    """Whether ``session`` works on PostgreSQL (numbers from sequences, rows created apart)."""
    return session.get_bind().dialect.name == "postgresql"


def engine_of(session: Session) -> Engine:
    """The engine behind ``session`` (for work in a short transaction of its own)."""
    return session.get_bind().engine


def sequence_name(key: str) -> str:
    """The sequence of counter ``key`` (quoted by the caller where it is an identifier)."""
    return f"counter:{key}"


class CounterRow:
    """Where a counter's value is kept as a row: the table, the row's condition, its insert.

    The statements are built once per counter (:meth:`named` and the numbering keep one
    ``CounterRow`` per key): every interchange draws from three or four counters, and building
    and cache-keying a new UPDATE each time cost more than running it.
    """

    def __init__(self, table: Table, condition: ColumnElement[bool], create: Insert) -> None:
        self.table = table
        self.condition = condition
        self.create = create
        self._bump = (
            update(table)
            .where(condition)
            .values(last_value=table.c.last_value + bindparam("step", type_=Integer))
            .returning(table.c.last_value)
        )
        #: :meth:`_driver_bump`'s statement and fixed parameters, once compiled.
        self._sqlite: tuple[str, tuple[object, ...]] | None = None

    @classmethod
    def named(cls, name: str) -> CounterRow:
        """The row of ``control_reference_counters`` called ``name``."""
        return _named(name)

    def bump(self, session: Session, step: int) -> int | None:
        """Advance the row by ``step`` (row-locked to the end of the transaction); the new
        last value, or None when there is no row yet."""
        # On the session's connection: nothing the ORM holds pending bears on a counter row,
        # and Session.execute would flush it first (a flush per draw, several per interchange).
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            sql, fixed = self._driver_bump(connection)
            rows = run_driver(connection, sql, (step, *fixed))
            value = rows[0][0] if rows else None
        else:
            value = connection.execute(self._bump, {"step": step}).scalar_one_or_none()
        return None if value is None else int(value)

    def _driver_bump(self, connection: Connection) -> tuple[str, tuple[object, ...]]:
        """SQLite: the UPDATE as the driver's SQL with the step as its first parameter and the
        row's condition values after it, compiled once; about 70 µs less per draw than a
        SQLAlchemy execution, three or four draws per interchange (stop 23)."""
        if self._sqlite is None:
            compiled = self._bump.compile(dialect=connection.dialect)
            names = list(compiled.positiontup or ())
            if names[:1] != ["step"] or "step" in names[1:]:
                raise AssertionError(f"unexpected counter statement: {compiled}")
            values = compiled.construct_params({"step": 0})
            dialect = connection.dialect
            fixed = []
            for name in names[1:]:
                process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                fixed.append(values[name] if process is None else process(values[name]))
            self._sqlite = (str(compiled), tuple(fixed))
        return self._sqlite

    def take(self, session: Session, step: int) -> int:
        """:meth:`bump`, creating the row first if needed (a concurrent creator wins)."""
        last = self.bump(session, step)
        if last is None:
            try:
                with session.begin_nested():
                    session.execute(self.create.values(last_value=0))
            except IntegrityError:
                pass
            last = self.bump(session, step)
        assert last is not None
        return last

    def current(self, connection: Connection) -> int:
        """The row's last value (0 without a row)."""
        value = connection.scalar(select(self.table.c.last_value).where(self.condition))
        return int(value or 0)


@lru_cache(maxsize=1024)
def _named(name: str) -> CounterRow:
    return CounterRow(NAMED, NAMED.c.name == name, insert(NAMED).values(name=name))


def draw(session: Session, key: str, count: int, row: CounterRow) -> list[int]:
    """``count`` new numbers of counter ``key``, ascending.

    PostgreSQL: from the counter's sequence; unique, not necessarily consecutive (another
    worker may draw in between), and a rolled-back unit of work leaves a gap. SQLite: the
    next ``count`` consecutive values of ``row``, gapless, held to the end of the transaction.
    """
    if count <= 0:
        return []
    if not on_postgresql(session):
        last = row.take(session, count)
        return list(range(last - count + 1, last + 1))
    name = sequence_name(key)
    _ensure_sequence(engine_of(session), name, row.current)
    connection = session.connection()
    if count == 1:
        value = connection.execute(_NEXTVAL, {"s": _quoted(name)}).scalar_one()
        return [int(value)]
    values = connection.execute(_NEXTVALS, {"s": _quoted(name), "n": count}).scalars()
    return sorted(int(v) for v in values)


_NEXTVAL = text("SELECT nextval(:s)")
_NEXTVALS = text("SELECT nextval(:s) FROM generate_series(1, :n)")


def serialise(session: Session, name: str) -> None:
    """Hold the mutex ``name`` (its counter row, locked) until the transaction ends."""
    CounterRow.named(name).take(session, 1)


def create_apart(session: Session, statement: Insert) -> None:
    """Run ``statement`` (an INSERT … ON CONFLICT DO NOTHING) in a short transaction of its own.

    A row created on first use inside a unit of work (a ledger head, a ruleset version) is held
    by that unit until it commits: a second worker inserting the same key waits on it. Created
    apart and committed at once, the row is there for both and nobody waits. PostgreSQL only
    (on SQLite a second connection would wait for the unit's own write lock).
    """
    with engine_of(session).begin() as connection:
        connection.execute(statement)


def _ensure_sequence(engine: Engine, name: str, seed: Callable[[Connection], int]) -> None:
    known = _KNOWN.setdefault(engine, set())
    if name in known:
        return
    with engine.begin() as connection:
        # Two workers creating the same sequence at once can collide in the catalogue even
        # with IF NOT EXISTS: one waits for the other on this lock instead (first use only).
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
        exists = connection.scalar(text("SELECT to_regclass(:s)"), {"s": _quoted(name)})
        if exists is None:
            start = seed(connection) + 1
            ddl = f"CREATE SEQUENCE IF NOT EXISTS {_quoted(name)} AS bigint START WITH {start}"
            connection.execute(text(ddl))
    known.add(name)


def forget_sequences(engine: Engine) -> None:
    """Forget which sequences exist (a test that drops them asks again)."""
    _KNOWN.pop(engine, None)


def _quoted(name: str) -> str:
    # An identifier in double quotes: any character but the quote itself, which is doubled.
    return '"' + name.replace('"', '""') + '"'
