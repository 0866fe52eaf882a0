"""Exactly one scheduler at a time: a PostgreSQL advisory lock (a file lock on SQLite).

The leader holds a session-level advisory lock on a connection of its own. When the leader
dies, PostgreSQL ends its session and frees the lock, and a waiting scheduler (trying every
``scheduler_poll_seconds``) takes it. A leader that loses its connection (database restart,
network) stops scheduling at its next check and competes again like a newcomer.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text

#: The advisory lock's key: "customs" as a 64-bit integer, the same for every scheduler.
LEADER_KEY = int.from_bytes(b"customs\x00", "big") >> 1


class LeaderLock(Protocol):
    """A lock only one process holds; :meth:`try_acquire` never blocks."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if this process holds it now."""
        ...

    def still_held(self) -> bool:
        """Whether this process still holds the lock (its connection alive)."""
        ...

    def release(self) -> None:
        """Give the lock up (and close what held it)."""
        ...


class PostgresLeaderLock:
    """``pg_try_advisory_lock`` on a dedicated connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the lock on a fresh connection if no other session holds it."""
        self.release()
        connection = self._engine.connect()
        try:
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_KEY}
                ).scalar()
            )
            connection.commit()  # the lock is the session's, not the transaction's
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        if got:
            self._connection = connection
        else:
            connection.close()
        return got

    def still_held(self) -> bool:
        """The session that holds the lock still answers."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
        except Exception:
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Unlock and close (a dead connection is simply dropped: its session is gone)."""
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_KEY})
            self._connection.commit()
            self._connection.close()
        except Exception:
            self._drop()
        self._connection = None

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()
            self._connection.close()
            self._connection = None


class FileLeaderLock:
    """An exclusive ``flock`` on a file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        """Take the file lock if no other process holds it."""
        if self._file is not None:
            return True
        handle = self._path.open("a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """A held flock lasts as long as the file stays open."""
        return self._file is not None

    def release(self) -> None:
        """Unlock and close the file."""
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leader_lock(engine: Engine) -> LeaderLock:
    """The leader lock for the store of ``engine``."""
    if engine.dialect.name == "postgresql":
        return PostgresLeaderLock(engine)
    database = engine.url.database or "customs.db"
    return FileLeaderLock(Path(f"{database}.scheduler.lock"))
