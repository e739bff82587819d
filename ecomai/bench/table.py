"""The plain-text table every benchmark prints after its JSON: a label column, then
right-aligned cells, so each benchmark only states its columns."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

# (header, width, how to read the cell from one row)
Column = tuple[str, int, Callable[[dict[str, Any]], str]]


def table_lines(label: str, label_width: int, rows: Mapping[str, dict[str, Any]], columns: Sequence[Column],
                note: Callable[[dict[str, Any]], str | None] | None = None) -> list[str]:
    """Header, rule and one line per row; a row for which ``note`` gives a text shows
    that text instead of its cells (e.g. a peer that could not run)."""
    header = f"{label:<{label_width}}" + "".join(f"{title:>{width}}" for title, width, _ in columns)
    lines = [header, "-" * len(header)]
    for name, row in rows.items():
        text = note(row) if note else None
        if text is not None:
            lines.append(f"{name:<{label_width}}  {text}")
        else:
            lines.append(f"{name:<{label_width}}" + "".join(f"{cell(row):>{width}}" for _, width, cell in columns))
    return lines
