"""The goods feed to the FX authority: every goods row once, with a control record.

Each run claims every ``fx_goods`` row not sent yet (originals, corrections, cancellations, row
locked) into a new feed batch, in the unit of work that renders the file and keeps it on the
batch row with its control record, so no row is ever sent twice and the files can be written
again byte for byte. The control record (rows per kind, CNY and USD totals, sha256 of the data
file) lets the receiver check that the file is complete. Format: docs/fx-monitoring.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.store.fx_tables import FxFeedBatch, FxGoods

COLUMNS = (
    "feed",
    "row_id",
    "supersedes_row_id",
    "kind",
    "declaration_number",
    "version",
    "flow",
    "trader",
    "office",
    "declared_on",
    "items",
    "value_cny",
    "value_usd",
)
CONTROL_COLUMNS = (
    "feed",
    "records",
    "originals",
    "corrections",
    "cancellations",
    "value_cny_total",
    "value_usd_total",
    "data_sha256",
)


@dataclass(frozen=True, slots=True)
class FeedFile:
    """One file of a feed batch: name and UTF-8 text."""

    name: str
    content: str


def export_feed(session: Session, now: datetime) -> FxFeedBatch:
    """Claim every goods row not sent yet into a new feed batch (rows locked), files kept."""
    rows = list(
        session.scalars(
            select(FxGoods)
            .where(FxGoods.feed_batch_id.is_(None))
            .order_by(FxGoods.id)
            .with_for_update()
        )
    )
    count = session.scalar(select(func.count()).select_from(FxFeedBatch)) or 0
    reference = f"FX{now:%Y%m%d}{count + 1:06d}"
    content = _csv(reference, rows)
    kinds = {k: sum(r.kind == k for r in rows) for k in ("original", "correction", "cancellation")}
    batch = FxFeedBatch(
        reference=reference,
        record_count=len(rows),
        originals=kinds["original"],
        corrections=kinds["correction"],
        cancellations=kinds["cancellation"],
        cny_total=sum((r.value_cny for r in rows), Decimal(0)),
        usd_total=sum((r.value_usd for r in rows), Decimal(0)),
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        content=content,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    for row in rows:
        row.feed_batch_id = batch.id
    session.flush()
    return batch


def find_feed(session: Session, reference: str) -> FxFeedBatch | None:
    """Feed batch ``reference``, if there is one."""
    return session.scalars(select(FxFeedBatch).where(FxFeedBatch.reference == reference)).first()


def files_of(batch: FxFeedBatch) -> list[FeedFile]:
    """The data file and the control record file of ``batch``, as sent."""
    return [
        FeedFile(f"{batch.reference}.csv", batch.content),
        FeedFile(f"{batch.reference}.control.csv", control_record(batch)),
    ]


def control_record(batch: FxFeedBatch) -> str:
    """The control record file: a header and one line (rendered from the stored columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTROL_COLUMNS)
    writer.writerow(
        (
            batch.reference,
            batch.record_count,
            batch.originals,
            batch.corrections,
            batch.cancellations,
            f"{batch.cny_total:.2f}",
            f"{batch.usd_total:.2f}",
            batch.sha256,
        )
    )
    return out.getvalue()


def _csv(reference: str, rows: list[FxGoods]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            (
                reference,
                r.id,
                "" if r.supersedes_id is None else r.supersedes_id,
                r.kind,
                r.declaration_number,
                r.version,
                r.flow,
                r.trader,
                r.office,
                r.declared_on.isoformat(),
                r.items,
                f"{r.value_cny:.2f}",
                f"{r.value_usd:.2f}",
            )
        )
    return out.getvalue()
