"""The export-rebate batch files (CSV and XML) for the tax authority; see docs/rebates.md.

A batch is rendered once, when its records are claimed, and kept on its row with a control
record (record count, FOB total, estimated total, sha256 of the CSV), so the files can be
written again at any time, byte for byte as sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

from clearance.store.control_tables import RebateBatch, RebateRecord
from clearance.store.rebate_version_tables import RebateCorrection

NAMESPACE = "urn:golden-customs:rebates:1"
#: What a line of a batch is: the record itself, or a later version of it.
KINDS = ("original", "correction", "cancellation")
COLUMNS = (
    "batch",
    "declaration_number",
    "item",
    "commodity_code",
    "export_date",
    "rebate_rate",
    "fob_cny",
    "rebate_base",
    "estimated_amount",
    # Versions (issue 14): 1 original; later a correction or cancellation of a version sent.
    "version",
    "kind",
    "supersedes_version",
    "reason",
    # The goods and the exit (0029), after the columns receivers already read by position:
    # quantity in the first statutory unit (else the declared one), the exporter's USCC, the
    # local day the exit was confirmed. Empty when a record made before 0029 had none.
    "quantity",
    "unit",
    "exporter_uscc",
    "exit_date",
)


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One line of a batch: a record (version 1) or a later version of one."""

    declaration_number: str
    item_sequence: int
    commodity_code: str
    export_date: date
    rebate_rate: Decimal
    fob_cny: Decimal
    base: Decimal
    estimated_amount: Decimal
    version: int = 1
    kind: str = "original"
    reason: str = ""
    quantity: Decimal | None = None
    unit: str | None = None
    exporter_uscc: str | None = None
    exit_date: date | None = None

    @classmethod
    def of(cls, record: RebateRecord, correction: RebateCorrection | None = None) -> BatchLine:
        """The line of ``record`` itself, or of its ``correction`` (a version changes the
        figures, never the goods, the exporter or the exit)."""
        if correction is None:
            line = cls(
                record.declaration_number,
                record.item_sequence,
                record.commodity_code,
                record.export_date,
                record.rebate_rate,
                record.fob_cny,
                record.base,
                record.estimated_amount,
            )
        else:
            line = cls(
                record.declaration_number,
                record.item_sequence,
                record.commodity_code,
                record.export_date,
                correction.rebate_rate,
                correction.fob_cny,
                correction.base,
                correction.estimated_amount,
                correction.version,
                correction.kind,
                correction.reason,
            )
        return replace(
            line,
            quantity=record.quantity,
            unit=record.unit,
            exporter_uscc=record.exporter_uscc,
            exit_date=record.exit_date,
        )


@dataclass(frozen=True, slots=True)
class BatchFile:
    """One file of a batch: its name, media type and content (UTF-8 text)."""

    name: str
    media_type: str
    content: str


def _values(batch: RebateBatch, r: BatchLine) -> tuple[str, ...]:
    return (
        batch.reference,
        r.declaration_number,
        str(r.item_sequence),
        r.commodity_code,
        r.export_date.isoformat(),
        f"{r.rebate_rate:.4f}",
        f"{r.fob_cny:.2f}",
        f"{r.base:.2f}",
        f"{r.estimated_amount:.2f}",
        str(r.version),
        r.kind,
        "" if r.version == 1 else str(r.version - 1),
        r.reason,
        "" if r.quantity is None else f"{r.quantity.normalize():f}",
        r.unit or "",
        r.exporter_uscc or "",
        "" if r.exit_date is None else r.exit_date.isoformat(),
    )


def store_files(batch: RebateBatch, records: list[BatchLine]) -> None:
    """Render both files of ``batch`` and keep them, with the control record, on its row."""
    batch.fob_total = sum((r.fob_cny for r in records), Decimal(0))
    batch.csv_content = _csv(batch, records)
    batch.csv_sha256 = hashlib.sha256(batch.csv_content.encode("utf-8")).hexdigest()
    batch.xml_content = _xml(batch, records)


def files_of(batch: RebateBatch) -> list[BatchFile]:
    """The stored files of ``batch`` (empty for a batch exported before they were kept)."""
    if batch.csv_content is None or batch.xml_content is None:
        return []
    return [
        BatchFile(f"{batch.reference}.csv", "text/csv", batch.csv_content),
        BatchFile(f"{batch.reference}.xml", "application/xml", batch.xml_content),
    ]


def _csv(batch: RebateBatch, records: list[BatchLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_values(batch, r) for r in records)
    return out.getvalue()


def _xml(batch: RebateBatch, records: list[BatchLine]) -> str:
    assert batch.fob_total is not None and batch.csv_sha256 is not None
    root = ET.Element(
        "RebateBatch",
        {
            "xmlns": NAMESPACE,
            "reference": batch.reference,
            "from": batch.date_from.isoformat(),
            "to": batch.date_to.isoformat(),
            "records": str(len(records)),
            "totalEstimated": f"{batch.total_amount:.2f}",
        },
    )
    ET.SubElement(
        root,
        "Control",
        {
            "records": str(len(records)),
            "fobTotal": f"{batch.fob_total:.2f}",
            "estimatedTotal": f"{batch.total_amount:.2f}",
            "csvSha256": batch.csv_sha256,
            **{f"{kind}s": str(sum(r.kind == kind for r in records)) for kind in KINDS},
        },
    )
    for r in records:
        element = ET.SubElement(root, "Record")
        for name, value in zip(COLUMNS[1:], _values(batch, r)[1:], strict=True):
            ET.SubElement(element, _camel(name)).text = value
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data.decode("utf-8")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)
