"""The SVG charts: well-formed, accessible (title, desc, a title per mark), escaped labels."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from clearance.statistics import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_accessible_and_escape_their_labels() -> None:
    items = [
        charts.Bar("CN", Decimal("1200000"), "1.2 m"),
        charts.Bar("<script>alert(1)</script>", Decimal("300000"), "300.0 k"),
    ]
    svg = charts.bars(items, "Top partners", "Two partners & more", "c1")
    root = ElementTree.fromstring(svg)  # well-formed XML: a label never becomes markup
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Top partners"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Two partners & more"  # type: ignore[union-attr]
    assert "<script" not in svg and root.find(f".//{SVG}script") is None
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 2
    # The longest bar is the largest value; each bar says its value.
    widths = [int(r.get("width", "0")) for r in bars]
    assert widths[0] > widths[1] * 3
    assert bars[0].find(f"{SVG}title").text == "CN: 1.2 m"  # type: ignore[union-attr]


def test_lines_leave_a_gap_for_a_confidential_month() -> None:
    months = ["2025-01", "2025-02", "2025-03"]
    series = [
        charts.Series("Imports", [Decimal(100), None, Decimal(300)]),
        charts.Series("Exports", [Decimal(50), Decimal(60), Decimal(70)]),
    ]
    root = ElementTree.fromstring(charts.lines(months, series, "Trend", "By month", "t"))
    points = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert "Imports 2025-02: 100" not in " ".join(p or "" for p in points)
    assert len(points) == 5  # two imports (one month confidential), three exports
    assert "style" not in charts.lines(months, series, "Trend", "By month", "t")


def test_amounts_are_shortened_for_labels() -> None:
    assert charts.amount(Decimal("1234567890")) == "1.2 bn"
    assert charts.amount(Decimal("45600000")) == "45.6 m"
    assert charts.amount(Decimal("999")) == "999"
