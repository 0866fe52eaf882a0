"""Code tables of the XML channels, kept as data in ``edi/xml/tables``.

CSV files map China's country, currency and unit codes to ISO 3166-1 alpha-2, ISO 4217 and
UN/ECE Rec. 20; ``decmessage.json`` and ``dms.json`` hold the small per-format tables
(transport modes, incoterms, document kinds, answer codes). In every table a code that is
present but maps to nothing (``null`` / empty cell) is *known* and has no canonical
equivalent; a code that is absent is *unknown* and raises :class:`UnknownCode`, which the
readers turn into an issue rather than guessing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

TABLE_DIR = Path(__file__).with_name("tables")


class UnknownCode(LookupError):  # noqa: N818 - reads as "raise UnknownCode(...)"
    """A code that is not in the named table."""

    def __init__(self, table: str, code: str) -> None:
        super().__init__(f"{table} code {code!r} is not in our table")
        self.table = table
        self.code = code


def table_rows(name: str) -> list[dict[str, str]]:
    """The rows of one CSV table (comment lines starting with ``#`` skipped)."""
    with (TABLE_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def countries() -> Mapping[str, str | None]:
    """China customs country codes (3-letter and legacy 3-digit) → ISO alpha-2 or None."""
    table: dict[str, str | None] = {}
    for row in table_rows("countries.csv"):
        iso = row["iso2"] or None
        table[row["cn_code"]] = iso
        if row["legacy_code"]:
            table[row["legacy_code"]] = iso
    return table


@cache
def currencies() -> Mapping[str, str]:
    """Currency codes (ISO letters and legacy 3-digit customs codes) → ISO 4217."""
    table: dict[str, str] = {}
    for row in table_rows("currencies.csv"):
        table[row["iso"]] = row["iso"]
        if row["legacy_code"]:
            table[row["legacy_code"]] = row["iso"]
    return table


@cache
def units() -> Mapping[str, str]:
    """China customs unit codes → Rec. 20 code, or the national code ``CN<code>``."""
    return {
        row["cn_code"]: row["rec20"] or f"CN{row['cn_code']}" for row in table_rows("units.csv")
    }


@cache
def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TABLE_DIR / name).read_text(encoding="utf-8"))
    return data


def decmessage_table(name: str) -> Mapping[str, Any]:
    """One table of ``decmessage.json`` (without its ``_about`` note)."""
    return _section("decmessage.json", name)


def dms_table(name: str) -> Mapping[str, Any]:
    """One table of ``dms.json`` (without its ``_about`` note)."""
    return _section("dms.json", name)


@cache
def _section(file: str, name: str) -> Mapping[str, Any]:
    section = _json(file)[name]
    if isinstance(section, dict):
        return {k: v for k, v in section.items() if k != "_about"}
    return {str(v): v for v in section}


def lookup(table_name: str, table: Mapping[str, Any], code: str) -> Any:
    """``table[code]``; raises :class:`UnknownCode` naming ``table_name`` when absent."""
    try:
        return table[code]
    except KeyError:
        raise UnknownCode(table_name, code) from None


__all__ = [
    "TABLE_DIR",
    "UnknownCode",
    "countries",
    "currencies",
    "decmessage_table",
    "dms_table",
    "lookup",
    "table_rows",
    "units",
]
