"""Bar charts for the HTML reports as inline SVG (no script, no network): the geometry here, the markup in
reports/templates/_bar_chart.html.j2."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str  # the full label, shown as the bar's tooltip
    short_label: str  # under the bar
    value: Decimal
    color: str


@dataclass(frozen=True)
class SvgBarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    caption: str


def bar_chart(
    points: list[tuple[str, str, Decimal, str]], caption: str, height: int = 160, bar_width: int = 28, gap: int = 8
) -> SvgBarChart:
    """Bars for (label, short label, value, color) points, scaled to the largest value."""
    peak = max((value for _, _, value, _ in points), default=Decimal(0)) or Decimal(1)
    bars = []
    for index, (label, short_label, value, color) in enumerate(points):
        bar_height = int(max(value, Decimal(0)) * height / peak)
        bars.append(
            Bar(index * (bar_width + gap), height - bar_height, bar_width, bar_height, label, short_label, value, color)
        )
    return SvgBarChart(len(bars) * (bar_width + gap), height, tuple(bars), caption)
