"""The code tables are consistent: shapes, no code mapped twice, no silent overlaps."""

from __future__ import annotations

import re

import pytest

from edi.xml import codes
from edi.xml.codes import table_rows


def test_country_table_shapes() -> None:
    rows = table_rows("countries.csv")
    assert len({r["cn_code"] for r in rows}) == len(rows)
    legacy = [r["legacy_code"] for r in rows if r["legacy_code"]]
    assert len(set(legacy)) == len(legacy)
    for row in rows:
        assert re.fullmatch(r"[A-Z]{3}", row["cn_code"])
        assert row["iso2"] == "" or re.fullmatch(r"[A-Z]{2}", row["iso2"])
        assert row["legacy_code"] == "" or re.fullmatch(r"\d{3}", row["legacy_code"])
    assert codes.countries()["VNM"] == "VN"
    assert codes.countries()["142"] == "CN"
    assert codes.countries()["ZZZ"] is None


def test_currency_and_unit_tables() -> None:
    assert codes.currencies()["502"] == "USD"
    assert codes.currencies()["USD"] == "USD"
    assert codes.units()["035"] == "KGM"
    assert codes.units()["140"] == "CN140"
    assert all(re.fullmatch(r"[A-Z0-9]{2,5}", u) for u in codes.units().values())


def test_lookup_names_the_table() -> None:
    with pytest.raises(codes.UnknownCode) as caught:
        codes.lookup("unit", codes.units(), "998")
    assert (caught.value.table, caught.value.code) == ("unit", "998")
