"""A worker reads a stored interchange back in pieces, never whole (issue 15): the same
answers and rows as the bytes held whole give, and never more than a piece held at a time."""

from __future__ import annotations

import os
import re
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.orm import Session

from clearance.flow.outcome import InterchangeStatus, SubmissionOutcome
from clearance.intake import edifact_flow, edifact_scan
from clearance.intake.pipeline import Pipeline
from clearance.store import raw_pieces
from clearance.store.migrate import alembic_config, upgrade
from clearance.store.raw_pieces import StoredRaw
from clearance.store.tables import InboundMessage
from core.settings import Settings
from tests.integration.test_large_interchange import DECLARATIONS, _fresh, _rows

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import prepare  # noqa: E402
from day import one_interchange  # noqa: E402

pytestmark = pytest.mark.db


def _pieces(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(raw_pieces, "PIECE", size)


def _stored(engine: Engine, content: bytes) -> int:
    """A message holding ``content``, received (committed) and not processed."""
    clock = prepare(engine)
    return Pipeline.standard(engine, Settings(), clock).receive(
        content, filename="big.edi", channel="file"
    )


@pytest.mark.parametrize("piece", [7, 4096, 1 << 20])
def test_a_stored_interchange_read_in_pieces_gives_what_its_bytes_give(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    # Chunks of 4 declarations, the scan keeping 4 whole: the second pass goes on from the
    # fifth message (a stream of its own), so both passes and a resume read pieces.
    monkeypatch.setattr(edifact_flow, "CHUNK", 4)
    monkeypatch.setattr(edifact_scan, "KEPT", 4)
    content = one_interchange(DECLARATIONS)
    whole = Pipeline.standard(engine, Settings(), prepare(engine)).submit(content)
    expected = _rows(engine)
    _fresh(engine)
    _pieces(monkeypatch, piece)
    message_id = _stored(engine, content)
    pipeline = Pipeline.standard(engine, Settings(), prepare(engine))
    read_back = pipeline.process_stored(message_id)
    assert isinstance(read_back, SubmissionOutcome)
    assert read_back.status is InterchangeStatus.ACCEPTED
    assert [d.to_json() for d in read_back.declarations] == [
        d.to_json() for d in whole.declarations
    ]
    assert read_back.acknowledgement == whole.acknowledgement
    assert _rows(engine) == expected
    with Session(engine) as session:
        message = session.get(InboundMessage, message_id)
        assert message is not None
        assert (message.status, message.format, message.message_type) == (
            "accepted",
            "edifact",
            "CUSDEC",
        )
        assert message.raw == content  # untouched


def test_a_rejected_interchange_read_in_pieces_is_answered_as_its_bytes_are(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong UNZ count: scanned, answered with one CONTRL, nothing registered."""
    n = 12
    content = one_interchange(n).replace(f"UNZ+{n}+".encode(), f"UNZ+{n + 1}+".encode())
    whole = Pipeline.standard(engine, Settings(), prepare(engine)).submit(content)
    expected = _rows(engine)
    _fresh(engine)
    _pieces(monkeypatch, 1000)
    message_id = _stored(engine, content)
    read_back = Pipeline.standard(engine, Settings(), prepare(engine)).process_stored(message_id)
    assert read_back is not None and read_back.status is InterchangeStatus.REJECTED
    assert read_back.acknowledgement == whole.acknowledgement
    assert [d.to_json() for d in read_back.declarations] == [
        d.to_json() for d in whole.declarations
    ]
    assert _rows(engine) == expected


_WHOLE_RAW = re.compile(r"(?<!length\()(?<!substring\()\binbound_messages\.raw\b", re.IGNORECASE)


@pytest.mark.parametrize("how", ["worker", "retry"])
def test_a_stored_interchange_is_never_selected_whole(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A worker's job (``process_stored``), and an operator's retry of a failed message."""
    _pieces(monkeypatch, 4096)
    message_id = _stored(engine, one_interchange(5))
    pipeline = Pipeline.standard(engine, Settings(), prepare(engine))
    if how == "retry":
        with Session(engine) as session, session.begin():
            failed = update(InboundMessage).where(InboundMessage.id == message_id)
            session.execute(failed.values(status="failed"))
    selects: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    outcome: SubmissionOutcome | None
    try:
        if how == "retry":
            outcome = pipeline.retry(message_id)
        else:
            outcome = pipeline.process_stored(message_id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert outcome is not None and outcome.status is InterchangeStatus.ACCEPTED
    assert [s for s in selects if _WHOLE_RAW.search(s)] == []
    if engine.dialect.name == "postgresql":  # SQLite reads through blob I/O, not SQL
        pieces = [s for s in selects if "SUBSTRING(INBOUND_MESSAGES.RAW FROM" in s.upper()]
        assert len(pieces) >= 2  # the format's head, then the interchange


def _stream_peak(stored: StoredRaw, read: int) -> tuple[bytes, int]:
    """Read ``stored`` through its stream ``read`` bytes at a time, dropping each read as
    the tokenizer does; what was read (its sha-like join is built after) and the peak of
    Python allocations while reading."""
    sizes: list[int] = []
    pieces: list[bytes] = []
    tracemalloc.start()
    try:
        with stored.open() as stream:
            while chunk := stream.read(read):
                sizes.append(len(chunk))
                if len(pieces) < 3:
                    pieces.append(chunk)
                del chunk
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(size <= read for size in sizes)
    return b"".join(pieces), peak


def test_the_stream_holds_a_piece_never_the_bytes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    piece = 64 * 1024
    _pieces(monkeypatch, piece)
    content = os.urandom(8 << 20)  # incompressible: PostgreSQL stores it as it is
    message_id = _stored(engine, content)
    with Session(engine) as session, session.begin():
        stored = StoredRaw(session, message_id)
        assert len(stored) == len(content)
        assert stored.head(10) == content[:10]
        assert stored.read_at(len(content) - 3, 10) == content[-3:]
        assert stored.read_at(len(content), 10) == b""
        with stored.open() as stream:
            assert stream.read() == content
        first, peak = _stream_peak(stored, 16 * 1024)
        assert first == content[: 3 * 16 * 1024]
    # A piece, a read and the reader's own objects: a whole read would peak above 8 MiB.
    assert peak < 4 * piece, peak


def test_a_stream_goes_on_when_its_row_is_written_meanwhile(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit of work writes the message's own columns while it reads it: SQLite expires a
    blob handle whose row is written; the stream opens another and reads on."""
    _pieces(monkeypatch, 1000)
    content = bytes(range(256)) * 40
    message_id = _stored(engine, content)
    with Session(engine) as session, session.begin():
        stored = StoredRaw(session, message_id)
        with stored.open() as stream:
            start = stream.read(1500)
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == message_id)
                .values(message_type="CUSDEC")
            )
            rest = stream.read()
        assert start + rest == content
        assert session.scalar(select(InboundMessage.message_type)) == "CUSDEC"


def test_postgresql_keeps_the_raw_bytes_uncompressed(engine: Engine) -> None:
    """Migration 0023: a slice of a compressed value is decompressed from its start, so the
    bytes are stored as they are and a piece costs the server only its own TOAST chunks."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite never compresses a blob")
    content = one_interchange(400)  # about 350 kB of text that compresses several times
    message_id = _stored(engine, content)
    with Session(engine) as session:
        stored, length = session.execute(
            select(func.pg_column_size(InboundMessage.raw), func.length(InboundMessage.raw)).where(
                InboundMessage.id == message_id
            )
        ).one()
    assert length == len(content)
    assert stored >= len(content)  # compressed, it would take a fraction of it


def _updates_of_the_message(engine: Engine) -> tuple[list[str], Callable[..., None]]:
    """The ``UPDATE inbound_messages`` statements sent from now on, and the listener to remove."""
    updates: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        text = statement.lstrip().upper()
        if text.startswith("UPDATE INBOUND_MESSAGES"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    return updates, seen


def test_reading_the_pieces_does_not_flush_the_units_changes_to_the_row(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit of work changes the message row as it reads it: a read must not flush those
    changes (an ``UPDATE`` of the row mid-unit, another row version; at stop 23 that let a
    resend fit on a full disk). They stay pending, and are written once, at commit."""
    _pieces(monkeypatch, 1000)
    content = bytes(range(256)) * 40
    message_id = _stored(engine, content)
    updates, seen = _updates_of_the_message(engine)
    try:
        with Session(engine) as session, session.begin():
            inbound = session.get(InboundMessage, message_id)
            assert inbound is not None
            inbound.message_type = "CUSDEC"  # pending, as the unit's own changes are
            stored = StoredRaw(session, message_id)
            assert stored.head(10) == content[:10]
            assert stored.read_at(2000, 5) == content[2000:2005]
            with stored.open() as stream:
                assert stream.read() == content
            assert updates == []  # nothing flushed by the reads
            assert inbound in session.dirty
        assert len(updates) == 1  # the commit's flush
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with Session(engine) as session:
        assert session.scalar(select(InboundMessage.message_type)) == "CUSDEC"


def test_a_worker_writes_the_message_row_as_often_as_from_the_bytes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: a worker reading the stored bytes in pieces sends no more ``UPDATE`` of
    the message row than processing the same interchange from the bytes held whole does (the
    pieces' reads flushed the unit's pending changes once per piece on PostgreSQL)."""
    _pieces(monkeypatch, 4096)
    content = one_interchange(5)

    def updates_processing(stored: bool) -> int:
        _fresh(engine)
        message_id = _stored(engine, content)
        pipeline = Pipeline.standard(engine, Settings(), prepare(engine))
        filename = None
        if not stored:  # the bytes in hand, as a submission processed at once has them
            with Session(engine) as session:
                filename = session.scalar(
                    select(InboundMessage.filename).where(InboundMessage.id == message_id)
                )
        updates, seen = _updates_of_the_message(engine)
        try:
            if stored:
                outcome = pipeline.process_stored(message_id)
            else:
                outcome = pipeline._run(message_id, content, None, filename)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert outcome is not None and outcome.status is InterchangeStatus.ACCEPTED
        return len(updates)

    whole = updates_processing(stored=False)
    assert updates_processing(stored=True) == whole


_STORAGE = (
    "SELECT attstorage FROM pg_attribute "
    "WHERE attrelid = 'inbound_messages'::regclass AND attname = 'raw'"
)


def test_migration_0023_goes_down_one_step_and_up_again(engine: Engine) -> None:
    """Its own branch's head (``raw_pieces``); down one step the column is compressed again
    (``EXTENDED``, PostgreSQL's default), up again it is ``EXTERNAL``, whatever 0022 set on
    the other columns (0022 runs first or not at all on the branch: the result is the same)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        heads = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
        assert {"0022", "0023"} <= heads  # two branches' heads, neither replacing the other
        if postgres:
            assert connection.scalar(text(_STORAGE)) == "e"
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "raw_pieces@-1")
        with engine.connect() as connection:
            heads = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            assert "0023" not in heads and "0022" in heads
            if postgres:
                assert connection.scalar(text(_STORAGE)) == "x"
    finally:
        upgrade(engine)  # whatever happened, the schema the other tests expect
    with engine.connect() as connection:
        heads = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
        assert {"0022", "0023"} <= heads
        if postgres:
            assert connection.scalar(text(_STORAGE)) == "e"
