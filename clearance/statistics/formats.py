"""Tables out as CSV and JSON (and SDMX-CSV), and the fields each format carries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from clearance.statistics.cube import TOTAL
from clearance.statistics.published import Cell, Table

FIELDS = (
    "value_cny",
    "value_usd",
    "quantity1",
    "unit1",
    "quantity2",
    "unit2",
    "net_mass",
    "items",
    "unit_value_usd",
    "prior_value_cny",
    "growth_percent",
)


def cell_json(cell: Cell, protected: bool) -> dict[str, Any]:
    """One cell as a JSON object (money and quantities as decimal strings)."""
    out: dict[str, Any] = {"row": cell.row, "column": cell.column}
    for name in FIELDS:
        value = getattr(cell, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    out["flags"] = list(cell.flags)
    if not protected:
        out["traders"] = cell.traders
        out["rules"] = list(cell.rules)
    return out


def to_csv(table: Table) -> str:
    """One line per cell: axes, measures, flags (``;``-separated). Empty: suppressed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    q = table.query
    header = [q.rows, q.columns or "column", *FIELDS, "flags"]
    if not table.protected:
        header += ["traders", "rules"]
    writer.writerow(header)
    for cell in table.cells:
        line = [cell.row, cell.column]
        line += ["" if getattr(cell, f) is None else str(getattr(cell, f)) for f in FIELDS]
        line.append(";".join(cell.flags))
        if not table.protected:
            line += [str(cell.traders), ";".join(cell.rules)]
        writer.writerow(line)
    return buffer.getvalue()


def to_sdmx_csv(table: Table, dataflow: str = "GC:TRADE(1.0)") -> str:
    """SDMX-CSV (version 1): DATAFLOW, the axes, OBS_VALUE (CNY), OBS_STATUS, CONF_STATUS.

    OBS_STATUS is ``P`` (provisional) or ``R`` (revised) or ``A``; CONF_STATUS is ``C`` for a
    suppressed cell (its OBS_VALUE empty) and ``F`` (free) otherwise.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    q = table.query
    axes = [q.rows.upper()] + ([q.columns.upper()] if q.columns else [])
    writer.writerow(["DATAFLOW", *axes, "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS"])
    for cell in table.cells:
        keys = [cell.row] + ([cell.column] if q.columns else [])
        status = "R" if "revised" in cell.flags else "P" if "provisional" in cell.flags else "A"
        conf = "C" if "confidential" in cell.flags else "F"
        value = "" if cell.value_cny is None else str(cell.value_cny)
        writer.writerow([dataflow, *[_sdmx(k) for k in keys], value, "CNY", status, conf])
    return buffer.getvalue()


def _sdmx(key: str) -> str:
    return "_T" if key == TOTAL else key


class ParquetUnavailableError(RuntimeError):
    """pyarrow is not installed (``pip install golden-customs[parquet]``)."""


#: Parquet column types of the JSON cell fields (decimals keep their scale).
_DECIMALS = {
    "value_cny": 2,
    "value_usd": 2,
    "quantity1": 3,
    "quantity2": 3,
    "net_mass": 3,
    "unit_value_usd": 3,
    "prior_value_cny": 2,
    "growth_percent": 1,
}


#: The quantities' statutory units, as text.
_UNITS = ("unit1", "unit2")


def cells_to_parquet(cells: list[dict[str, Any]], rows: str, columns: str | None) -> bytes:
    """Published cells (their JSON form) as one Parquet file: typed decimals, flags as a list.

    Suppressed cells keep their row with null measures, as in the CSV.
    """
    try:
        import pyarrow as pa  # the optional extra "parquet"
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - the lock installs it
        raise ParquetUnavailableError(
            "Parquet needs pyarrow: pip install 'golden-customs[parquet]'"
        ) from exc
    fields = [pa.field(rows, pa.string()), pa.field(columns or "column", pa.string())]
    fields += [pa.field(name, pa.decimal128(24, scale)) for name, scale in _DECIMALS.items()]
    fields += [pa.field(name, pa.string()) for name in _UNITS]
    fields += [pa.field("items", pa.int64()), pa.field("flags", pa.list_(pa.string()))]
    data: dict[str, list[Any]] = {f.name: [] for f in fields}
    for cell in cells:
        data[rows].append(cell["row"])
        data[columns or "column"].append(cell["column"])
        for name in _DECIMALS:
            value = cell.get(name)
            data[name].append(None if value is None else Decimal(value))
        for name in _UNITS:
            data[name].append(cell.get(name))
        data["items"].append(cell.get("items"))
        data["flags"].append(list(cell.get("flags", [])))
    table = pa.Table.from_pydict(data, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
