"""The export-rebate batch files (CSV and XML) for the tax authority; see docs/rebates.md."""

from __future__ import annotations

import csv
from pathlib import Path
from xml.etree import ElementTree as ET

from clearance.store.control_tables import RebateBatch, RebateRecord

NAMESPACE = "urn:golden-customs:rebates:1"
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
)


def _values(batch: RebateBatch, r: RebateRecord) -> tuple[str, ...]:
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
    )


def write_batch(directory: Path, batch: RebateBatch, records: list[RebateRecord]) -> list[Path]:
    """Write ``<reference>.csv`` and ``<reference>.xml`` into ``directory``; return both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = directory / f"{batch.reference}.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(_values(batch, r) for r in records)
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
    for r in records:
        element = ET.SubElement(root, "Record")
        for name, value in zip(COLUMNS[1:], _values(batch, r)[1:], strict=True):
            ET.SubElement(element, _camel(name)).text = value
    xml_path = directory / f"{batch.reference}.xml"
    ET.ElementTree(root).write(xml_path, encoding="utf-8", xml_declaration=True)
    return [csv_path, xml_path]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)
