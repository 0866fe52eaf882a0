"""The daily rebate batch: confirmed records up to yesterday, built once, written to a folder.

Building claims the records (they become ``transmitted`` with the batch, one unit of work), so
a record is never in two batches. Writing the batch's stored files into the folder the tax
authority picks up from comes after the commit; a batch built but not yet written (the disk
was full, the process died) is written by the next run, under its own name, so the folder gets
every batch once and no batch twice (a file already there with the same content is left).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from clearance.lifecycle.events import EventKind
from clearance.lifecycle.notices import announce_once, mark_once, marked_without
from clearance.rebates import records
from clearance.rebates.export import files_of

#: Notice of a batch the schedule built (its files still to write until ``WRITTEN``).
BUILT = "rebate_batch_scheduled"
WRITTEN = EventKind.REBATE_BATCH_WRITTEN


@dataclass(frozen=True, slots=True)
class Built:
    """A batch the schedule built: its reference and number of lines."""

    reference: str
    records: int


def build(session: Session, up_to: date, now: datetime) -> Built | None:
    """Claim every confirmed record exported up to ``up_to`` into a batch; None if none."""
    attempt = session.begin_nested()
    batch, _ = records.export_batch(session, date.min, up_to, now)
    if batch.record_count == 0:
        attempt.rollback()  # nothing to send: no empty batch for the tax authority
        return None
    attempt.commit()
    data = {"reference": batch.reference, "records": batch.record_count}
    mark_once(session, BUILT, batch.reference, data, now)
    return Built(batch.reference, batch.record_count)


def unwritten(session: Session) -> list[str]:
    """References of scheduled batches whose files are not in the folder yet, oldest first."""
    return marked_without(session, BUILT, WRITTEN.value)


def write(session: Session, reference: str, directory: Path, now: datetime) -> list[Path]:
    """Write batch ``reference``'s stored files into ``directory``; announce it once."""
    batch = records.find_batch(session, reference)
    if batch is None:
        raise LookupError(f"no rebate batch {reference}")
    directory.mkdir(parents=True, exist_ok=True)
    paths = [_write_file(directory / f.name, f.content.encode("utf-8")) for f in files_of(batch)]
    data = {
        "reference": reference,
        "records": batch.record_count,
        "files": [p.name for p in paths],
        "csv_sha256": batch.csv_sha256,
    }
    announce_once(session, WRITTEN, reference, data, now)
    return paths


def _write_file(path: Path, content: bytes) -> Path:
    if path.exists() and path.read_bytes() == content:
        return path  # written by an earlier run that died before recording it
    # Written aside and renamed: the pick-up never sees half a file.
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    return path
