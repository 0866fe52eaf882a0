"""Scheduled exports: the daily rebate batch written once to its folder, and raw messages
moved into verified archives and read back transparently (a damaged archive is refused)."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Application, housekeeping, message_files, submissions
from clearance.app import rebates as rebate_cases
from clearance.app.messages import Interchange, submit
from clearance.lifecycle import retention
from clearance.store import raw_archive
from clearance.store.control_tables import RebateBatch
from clearance.store.housekeeping_tables import RawArchive, RawArchiveMember
from clearance.store.raw_archive import ArchiveIntegrityError
from clearance.store.tables import InboundMessage
from core.settings import Settings
from tests.integration.invalidation_support import release
from tests.integration.test_controls_support import INSTANT, ROOT, export_interchange, prepare
from tests.operations.housekeeping_support import MovableClock, clean_queue, events, run_slot

pytestmark = pytest.mark.db

# --- rebate batch ------------------------------------------------------------------------


def _confirmed_export(engine: Engine, app: Application) -> str:
    (d,) = submit(app, LOCAL_OPERATOR, Interchange(export_interchange())).declarations
    assert d.number is not None
    release(engine, d.number, INSTANT)
    assert rebate_cases.confirm_exit(app, LOCAL_OPERATOR, d.number).records == 2
    return d.number


def _batches(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(RebateBatch.reference).order_by(RebateBatch.id)))


def test_the_daily_rebate_batch_is_built_and_written_once(engine: Engine, tmp_path: Path) -> None:
    clean_queue(engine)
    prepare(engine)
    folder = tmp_path / "to-tax"
    clock = MovableClock(INSTANT)
    app = Application(engine, Settings(rebate_batch_dir=folder), clock)
    _confirmed_export(engine, app)
    # The export of 2026-06-15 waits for the next day's slot (records up to yesterday).
    assert run_slot(app, "rebate_batch") is not None
    assert _batches(engine) == [] and not folder.exists()
    clock.advance(timedelta(days=1))
    assert run_slot(app, "rebate_batch") is not None
    (reference,) = _batches(engine)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"{reference}.csv", f"{reference}.xml"]
    csv = (folder / f"{reference}.csv").read_bytes()
    stored = rebate_cases.batch(app, LOCAL_OPERATOR, reference)
    assert csv.decode() == next(f.content for f in stored.files if f.name.endswith(".csv"))
    assert stored.records == 2
    (written,) = events(engine, "rebate_batch_written")
    assert written["reference"] == reference
    assert written["csv_sha256"] == hashlib.sha256(csv).hexdigest()
    # The same slot never runs again; another day's run finds nothing to batch or write.
    assert run_slot(app, "rebate_batch") is None
    clock.advance(timedelta(days=1))
    again = housekeeping.rebate_batch(app, LOCAL_OPERATOR)
    assert (again.built, again.written) == (None, [])
    assert _batches(engine) == [reference]
    assert len(events(engine, "rebate_batch_written")) == 1


def test_a_batch_whose_files_could_not_be_written_is_written_by_the_next_run(
    engine: Engine, tmp_path: Path
) -> None:
    clean_queue(engine)
    prepare(engine)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    clock = MovableClock(INSTANT + timedelta(days=1))
    app = Application(engine, Settings(rebate_batch_dir=blocked), clock)
    clock.set(INSTANT)
    _confirmed_export(engine, app)
    clock.advance(timedelta(days=1))
    with pytest.raises(FileExistsError):
        housekeeping.rebate_batch(app, LOCAL_OPERATOR)
    (reference,) = _batches(engine)  # the batch is kept: its records are transmitted
    folder = tmp_path / "to-tax"
    fixed = Application(engine, Settings(rebate_batch_dir=folder), clock)
    clock.advance(timedelta(days=1))
    done = housekeeping.rebate_batch(fixed, LOCAL_OPERATOR)
    assert done.built is None and done.written == [reference]
    assert sorted(p.name for p in folder.iterdir()) == [f"{reference}.csv", f"{reference}.xml"]
    assert _batches(engine) == [reference]


def test_no_folder_no_scheduled_batch(engine: Engine) -> None:
    clean_queue(engine)
    prepare(engine)
    app = Application(engine, Settings(), MovableClock(INSTANT))
    _confirmed_export(engine, app)
    done = housekeeping.rebate_batch(app, LOCAL_OPERATOR)
    assert (done.built, done.records) == (None, 0)
    assert _batches(engine) == []


# --- raw retention -----------------------------------------------------------------------

OLD = datetime(2022, 3, 1, 2, 0, tzinfo=UTC)
SAMPLES = sorted((ROOT / "samples" / "edifact").glob("0[1-4]-*.edi"))


def _old_messages(engine: Engine) -> dict[int, bytes]:
    """The sample interchanges as received in 2022 (processed then): id → bytes."""
    app = Application(engine, Settings(), MovableClock(OLD))
    for path in SAMPLES:
        submit(app, LOCAL_OPERATOR, Interchange(path.read_bytes(), filename=path.name))
    with Session(engine) as session:
        rows = session.execute(select(InboundMessage.id, InboundMessage.raw)).all()
    return {int(i): bytes(r) for i, r in rows}


def _hot(engine: Engine) -> dict[int, int]:
    with Session(engine) as session:
        rows = session.execute(select(InboundMessage.id, func.length(InboundMessage.raw))).all()
    return {int(i): int(n) for i, n in rows}


def _retention_app(engine: Engine, root: Path, **settings: object) -> Application:
    clock = MovableClock(datetime(2026, 12, 5, 20, 0, tzinfo=UTC))  # 03:00+ in Shanghai
    chosen: dict[str, object] = {"archive_root": root, "retention_batch": 2} | settings
    return Application(engine, Settings(**chosen), clock)  # type: ignore[arg-type]


def test_old_raw_messages_move_to_verified_archives_and_read_back_the_same(
    engine: Engine, tmp_path: Path
) -> None:
    clean_queue(engine)
    prepare(engine)
    original = _old_messages(engine)
    assert len(original) == len(SAMPLES) >= 3
    # A recent message stays in the hot table.
    recent = Application(engine, Settings(), MovableClock(INSTANT))
    submit(recent, LOCAL_OPERATOR, Interchange(SAMPLES[0].read_bytes().replace(b"1", b"1", 1)))
    root = tmp_path / "archive"
    app = _retention_app(engine, root)
    assert run_slot(app, "raw_retention") is not None
    hot = _hot(engine)
    assert all(hot[i] == 0 for i in original)  # the old bytes left the hot table
    assert [n for i, n in hot.items() if i not in original] != [0]
    with Session(engine) as session:
        archives = session.scalars(select(RawArchive).order_by(RawArchive.id)).all()
        assert [a.members for a in archives] == [2] * (len(original) // 2) + (
            [1] if len(original) % 2 else []
        )
        for archive in archives:  # the zip on disk is the one verified
            digest = hashlib.sha256((root / archive.path).read_bytes()).hexdigest()
            assert digest == archive.sha256
        assert session.scalar(select(func.count()).select_from(RawArchiveMember)) == len(original)
    # Read back transparently, byte for byte, by every reader.
    for message_id, content in original.items():
        assert message_files.raw(app, LOCAL_OPERATOR, message_id).content == content
        assert submissions.raw_message(app, LOCAL_OPERATOR, message_id).content == content
    assert len(events(engine, "raw_archived")) == len(archives)
    # Once per slot, and nothing is due any more.
    assert run_slot(app, "raw_retention") is None
    assert housekeeping.raw_retention(app, LOCAL_OPERATOR).messages == 0


def test_a_damaged_archive_is_refused_not_served(engine: Engine, tmp_path: Path) -> None:
    clean_queue(engine)
    prepare(engine)
    original = _old_messages(engine)
    root = tmp_path / "archive"
    app = _retention_app(engine, root, retention_batch=100)
    done = housekeeping.raw_retention(app, LOCAL_OPERATOR)
    assert done.messages == len(original)
    (path,) = done.archives
    first = min(original)
    # Someone rewrites the archive with other bytes for one member.
    with zipfile.ZipFile(root / path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[raw_archive.member_name(first)] = b"UNB+UNOC:3+FORGED'"
    with zipfile.ZipFile(root / path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(ArchiveIntegrityError, match="sha256"):
        message_files.raw(app, LOCAL_OPERATOR, first)
    # The others still read back.
    other = max(original)
    assert message_files.raw(app, LOCAL_OPERATOR, other).content == original[other]
    (root / path).unlink()
    with pytest.raises(ArchiveIntegrityError):
        message_files.raw(app, LOCAL_OPERATOR, other)


def test_an_archive_that_does_not_verify_leaves_the_bytes_in_place(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_queue(engine)
    prepare(engine)
    original = _old_messages(engine)
    real_write = raw_archive.write_archive

    def bad_disk(path: Path, members: list[tuple[str, bytes]]) -> None:
        real_write(path, [(name, content[:-1]) for name, content in members])

    monkeypatch.setattr(raw_archive, "write_archive", bad_disk)
    app = _retention_app(engine, tmp_path / "archive")
    with pytest.raises(ArchiveIntegrityError, match="does not match"):
        housekeeping.raw_retention(app, LOCAL_OPERATOR)
    assert _hot(engine) == {i: len(c) for i, c in original.items()}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(RawArchive)) == 0
    monkeypatch.setattr(raw_archive, "write_archive", real_write)
    assert housekeeping.raw_retention(app, LOCAL_OPERATOR).messages == len(original)


def test_messages_still_open_are_never_archived(engine: Engine, tmp_path: Path) -> None:
    clean_queue(engine)
    prepare(engine)
    original = _old_messages(engine)
    with Session(engine) as session:
        failed = min(original)
        session.get(InboundMessage, failed).status = "failed"  # type: ignore[union-attr]
        session.commit()
        cutoff = datetime(2026, 1, 1, tzinfo=UTC)
        due = [d.id for d in retention.due(session, cutoff, 100)]
    assert failed not in due and sorted(due) == sorted(set(original) - {failed})


def test_a_batch_is_cut_short_by_its_bytes(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_queue(engine)
    prepare(engine)
    original = _old_messages(engine)
    smallest = min(len(c) for c in original.values())
    monkeypatch.setattr(retention, "BATCH_BYTES", smallest)  # one message per batch
    app = _retention_app(engine, tmp_path / "archive", retention_batch=100)
    done = housekeeping.raw_retention(app, LOCAL_OPERATOR)
    assert (done.messages, len(done.archives)) == (len(original), len(original))
