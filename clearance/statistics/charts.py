"""Charts of the protected figures as SVG, drawn on the server: no script, no internet.

Two shapes cover the four charts statisticians asked for: horizontal bars (top partners,
top chapters, share by trade mode) and lines over months (the monthly trend of imports and
exports). The SVG is accessible: ``role="img"`` with a ``<title>`` and a ``<desc>`` that says
what the chart shows, every bar and point carries its value in a ``<title>`` (a tooltip, read
by screen readers), and the pages show the same figures as a table beside it. Only
presentation attributes are used (no ``style``), so a strict content security policy holds.
Labels are escaped: a code never becomes markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

#: Colours with enough contrast on white (WCAG AA for large graphics): imports, exports.
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f")
WIDTH = 720
FONT = 'font-family="sans-serif" font-size="12"'
HEADING = 'font-family="sans-serif" font-size="14" font-weight="bold"'


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the text shown at its end."""

    label: str
    value: Decimal
    text: str


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and a value per x label (None: not shown)."""

    name: str
    values: list[Decimal | None]


def amount(value: Decimal) -> str:
    """A CNY amount shortened for a chart label: 1.23 bn, 45.6 m, 7.8 k."""
    v = abs(value)
    for size, unit in ((Decimal(10) ** 9, " bn"), (Decimal(10) ** 6, " m"), (Decimal(1000), " k")):
        if v >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def _open(height: int, title: str, desc: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]


def bars(items: list[Bar], title: str, desc: str, ident: str = "chart") -> str:
    """A horizontal bar chart, one bar per item, longest first as given."""
    row, top, left, right = 26, 36, 150, 110
    height = top + row * max(len(items), 1) + 16
    out = _open(height, title, desc, ident)
    out.append(f'<text x="8" y="22" {HEADING}>{escape(title)}</text>')
    if not items:
        out.append(f'<text x="8" y="{top + 16}" {FONT}>–</text>')
    largest = max((b.value for b in items), default=Decimal(0))
    span = WIDTH - left - right
    for i, bar in enumerate(items):
        y = top + i * row
        length = 0 if largest <= 0 else int(span * bar.value / largest)
        label = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
        out += [
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" {FONT}>{escape(label)}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>',
            f'<text x="{left + length + 6}" y="{y + 16}" {FONT}>{escape(bar.text)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def lines(
    labels: list[str], series: list[Series], title: str, desc: str, ident: str = "chart"
) -> str:
    """A line chart over ``labels`` (months), one line per series, with a legend."""
    height, top, left, bottom, right = 320, 40, 80, 60, 20
    out = _open(height, title, desc, ident)
    out.append(f'<text x="8" y="22" {HEADING}>{escape(title)}</text>')
    values = [v for s in series for v in s.values if v is not None]
    largest = max(values, default=Decimal(0))
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    base = top + plot_h
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#505a5f"/>')
    for k in range(5):  # horizontal grid lines with their amounts
        level = largest * k / 4
        y = base - (0 if largest <= 0 else int(plot_h * k / 4))
        out += [
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#e0e0e0"/>',
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" {FONT}>{amount(level)}</text>',
        ]
    n = len(labels)
    step = plot_w / max(n - 1, 1)
    every = max(1, n // 12)  # at most about twelve x labels
    for i, label in enumerate(labels):
        if i % every == 0:
            x = left + int(i * step)
            out.append(
                f'<text x="{x}" y="{base + 16}" text-anchor="middle" {FONT}>{escape(label)}</text>'
            )
    for s_index, line in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = []
        for i, value in enumerate(line.values):
            if value is None:
                continue
            x = left + int(i * step)
            y = base - (0 if largest <= 0 else int(plot_h * value / largest))
            points.append((x, y, labels[i], value))
        if points:
            path = " ".join(f"{x},{y}" for x, y, _, _ in points)
            out.append(
                f'<polyline points={quoteattr(path)} fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        for x, y, label, value in points:
            tip = f"{line.name} {label}: {amount(value)}"
            out.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        lx = left + s_index * 160
        out += [
            f'<rect x="{lx}" y="{height - 22}" width="14" height="14" fill="{colour}"/>',
            f'<text x="{lx + 20}" y="{height - 10}" {FONT}>{escape(line.name)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"
