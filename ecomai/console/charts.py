"""Server-rendered SVG bar charts for the dashboard: no JavaScript charting library to
ship or keep patched, readable without scripts, and every label escaped (intent names
and dates come from data)."""

from __future__ import annotations

from html import escape
from typing import Sequence

BAR = "#3b6fb6"


def column_chart(points: Sequence[tuple[str, int]], *, title: str, width: int = 640, height: int = 180) -> str:
    """Vertical bars, one per point in order (e.g. conversations per day)."""
    if not points:
        return _empty(title, width)
    top, pad = max(value for _, value in points) or 1, 24
    slot = (width - 2 * pad) / len(points)
    bars = []
    for i, (label, value) in enumerate(points):
        h = (height - 2 * pad) * value / top
        x, y = pad + i * slot, height - pad - h
        bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" height="{h:.1f}" fill="{BAR}">'
                    f'<title>{escape(label)}: {value}</title></rect>')
    first, last = escape(points[0][0]), escape(points[-1][0])
    axis = (f'<text x="{pad}" y="{height - 6}" font-size="11">{first}</text>'
            f'<text x="{width - pad}" y="{height - 6}" font-size="11" text-anchor="end">{last}</text>'
            f'<text x="{pad}" y="14" font-size="11">max {top}</text>')
    return _svg(title, width, height, "".join(bars) + axis)


def bar_chart(items: Sequence[tuple[str, int]], *, title: str, width: int = 640, row: int = 20) -> str:
    """Horizontal bars with labels and counts (e.g. the intent distribution)."""
    if not items:
        return _empty(title, width)
    top, label_w = max(value for _, value in items) or 1, 170
    height = row * len(items) + 8
    parts = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 60) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + row * 0.7:.1f}" font-size="12" text-anchor="end">'
                     f'{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{BAR}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.7:.1f}" font-size="12">{value}</text>')
    return _svg(title, width, height, "".join(parts))


def _svg(title: str, width: int, height: int, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width} {height}" width="100%">'
            f'<title>{escape(title)}</title>{body}</svg>')


def _empty(title: str, width: int) -> str:
    return _svg(title, width, 30, '<text x="4" y="20" font-size="12">No data in this period.</text>')
