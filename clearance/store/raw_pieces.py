"""A stored message's raw bytes read back in bounded pieces, never whole (issue 15).

Loading ``InboundMessage.raw`` through the ORM holds the whole interchange in the worker,
and more than once: psycopg receives a bytea as hex text (twice its size) before it decodes
it, and SQLite copies the blob out of its pages. :class:`StoredRaw` reads it a piece at a
time through the caller's session instead, inside its unit of work (so the row it reads is
the one the unit has locked), and hands out streams that the EDIFACT reader consumes a
megabyte at a time:

- on SQLite through incremental blob I/O (``sqlite3.Connection.blobopen``): SQLite reads
  only the pages of the piece asked for, following the row's overflow chain from where the
  last read stopped;
- on PostgreSQL through ``substring(raw FROM start FOR n)``: the server reads only the TOAST
  chunks of the slice, because the column is stored uncompressed (migration 0023). A value
  stored compressed (before 0023) is read correctly too, but each slice is then decompressed
  from the value's start: the server's work grows with the square of the size.

Every read runs with the session's autoflush off (``session.no_autoflush``). The unit of work
changes the message row as it goes (format, sender, status); a read through the session would
otherwise flush those changes mid-unit, an ``UPDATE`` of the row per change on top of the one at
commit. That extra row version is not harmless: on PostgreSQL it is another copy of the row's
heap tuple, which moved where the next message's row went and let a resend fit on a full disk
that should have refused it (the disk-full fault test got 202 instead of 503 at stop 23).
The pieces read only ``raw``, which the unit never changes, so the pending changes need not be
seen by them; they are flushed where they were before, by the unit's own statements or at
commit.

A piece is 1 MiB (what the tokenizer takes at a time). Larger pieces cost more than their
size: 16 MiB pieces on PostgreSQL peaked about 90 MiB higher than 1 MiB ones on a 50 MB
interchange (libpq receives a bytea as hex text, twice its size, and the allocator keeps
freed blocks of that size), and 1 MiB pieces cost the server only 0.1 CPU-s per 50 MB.
"""

from __future__ import annotations

import io
import sqlite3
from typing import Final

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import LargeBinary

from clearance.store.tables import InboundMessage

#: The bytes read from the store at a time (what the EDIFACT tokenizer takes at a time).
PIECE: Final = 1 << 20


class StoredRaw:
    """The raw bytes of stored message ``message_id``, read from the store on demand.

    ``size`` is their length as stored. Use it only inside the unit of work of ``session``.
    """

    def __init__(self, session: Session, message_id: int) -> None:
        """Look up the length of the bytes (not the bytes)."""
        self.session = session
        self.message_id = message_id
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.piece = PIECE
        with session.no_autoflush:  # see the module's docstring
            length = session.scalar(
                select(func.length(InboundMessage.raw)).where(InboundMessage.id == message_id)
            )
        self.size: int = length or 0

    def __len__(self) -> int:
        return self.size

    def read_at(self, offset: int, count: int) -> bytes:
        """At most ``count`` bytes from ``offset`` (fewer at the end; none past it)."""
        count = min(count, self.size - offset)
        if count <= 0:
            return b""
        if self.sqlite:
            with self._blob() as blob:
                blob.seek(offset)
                return blob.read(count)
        piece = type_coerce(func.substring(InboundMessage.raw, offset + 1, count), LargeBinary)
        # Not a flush of the unit's pending changes to the row per piece (module docstring).
        with self.session.no_autoflush:
            content = self.session.scalar(select(piece).where(InboundMessage.id == self.message_id))
        return bytes(content or b"")

    def head(self, count: int = 64) -> bytes:
        """The first ``count`` bytes (enough to tell the format)."""
        return self.read_at(0, count)

    def open(self) -> io.BufferedReader:
        """A stream over the bytes from their start: each pass of a reader opens its own."""
        # A small buffer: the pieces are what the stream holds, the buffer only hands them out.
        return io.BufferedReader(_Pieces(self), buffer_size=io.DEFAULT_BUFFER_SIZE)

    def _blob(self) -> sqlite3.Blob:
        """A read-only handle on the row's blob (the session's own SQLite connection)."""
        connection = self.session.connection().connection.dbapi_connection
        assert isinstance(connection, sqlite3.Connection)
        return connection.blobopen("inbound_messages", "raw", self.message_id, readonly=True)


class _Pieces(io.RawIOBase):
    """The raw stream under :meth:`StoredRaw.open`: holds at most one piece of the bytes."""

    def __init__(self, stored: StoredRaw) -> None:
        super().__init__()
        self._stored = stored
        self._next = 0  # where the next piece starts
        self._piece = memoryview(b"")  # what is left of the piece read last
        self._blob: sqlite3.Blob | None = None

    def readable(self) -> bool:
        """Always: the stream only reads."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the piece held, reading the next piece when it is used up."""
        if not self._piece:
            piece = self._read_piece()
            self._next += len(piece)
            self._piece = memoryview(piece)
        count = min(len(buffer), len(self._piece))
        buffer[:count] = self._piece[:count]
        self._piece = self._piece[count:]
        return count

    def close(self) -> None:
        """Let go of the piece and of SQLite's blob handle."""
        if self._blob is not None:
            self._blob.close()
            self._blob = None
        self._piece = memoryview(b"")
        super().close()

    def _read_piece(self) -> bytes:
        stored = self._stored
        if not stored.sqlite:
            return stored.read_at(self._next, stored.piece)
        count = min(stored.piece, stored.size - self._next)
        if count <= 0:
            return b""
        # One handle for the whole pass: it keeps SQLite's place in the row's overflow chain,
        # where a fresh handle per piece would walk the chain from the row again each time.
        for attempt in (1, 2):
            if self._blob is None:
                self._blob = stored._blob()
            try:
                self._blob.seek(self._next)
                return self._blob.read(count)
            except sqlite3.OperationalError:
                # A handle expires when its row is written (the unit of work updates the
                # message's own columns as it goes): open a new one and read again.
                self._blob.close()
                self._blob = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


__all__ = ["PIECE", "StoredRaw"]
