"""Pure scoring of a text classifier run, shared by our model's bench and the Rasa
peer's subprocess, so both sides are measured by the same code."""

from __future__ import annotations

from typing import Any, Sequence

from ecomai.bench.stats import percentile
from ecomai.nlu.metrics import accuracy, macro_f1


def score_run(gold: Sequence[str], predicted: Sequence[str], train_seconds: float,
              single_latencies_s: Sequence[float], batch_messages: int, batch_seconds: float) -> dict[str, Any]:
    """One classifier's bench row.

    Args:
        gold / predicted: labels of the test messages.
        train_seconds: wall time of training.
        single_latencies_s: seconds to classify one message at a time (after warm-up).
        batch_messages / batch_seconds: messages classified in batches and the wall time.
    """
    return {
        "accuracy": round(accuracy(gold, predicted), 4),
        "macro_f1": round(macro_f1(gold, predicted), 4),
        "train_seconds": round(train_seconds, 1),
        "latency_ms": {f"p{q}": round(percentile([s * 1000 for s in single_latencies_s], q), 2) for q in (50, 95)},
        "messages_per_s": round(batch_messages / batch_seconds, 1) if batch_seconds > 0 else None,
        "test_messages": len(gold),
    }


# (header, width, cell of one row)
_COLUMNS = (
    ("accuracy", 10, lambda r: f"{r['accuracy'] * 100:.2f}%"),
    ("macro-F1", 10, lambda r: f"{r['macro_f1'] * 100:.2f}"),
    ("train s", 10, lambda r: f"{r['train_seconds']:.0f}"),
    ("p50 ms", 9, lambda r: f"{r['latency_ms']['p50']:.1f}"),
    ("p95 ms", 9, lambda r: f"{r['latency_ms']['p95']:.1f}"),
    ("msg/s", 9, lambda r: "-" if r["messages_per_s"] is None else f"{r['messages_per_s']:.0f}"),
)


def format_rows(rows: dict[str, dict[str, Any]]) -> str:
    """Plain-text table, one line per classifier (rows without metrics show their note)."""
    header = f"{'model':<34}" + "".join(f"{title:>{width}}" for title, width, _ in _COLUMNS)
    lines = [header, "-" * len(header)]
    for name, row in rows.items():
        if "accuracy" not in row:
            lines.append(f"{name:<34}  {row.get('note', 'not run')}")
            continue
        lines.append(f"{name:<34}" + "".join(f"{cell(row):>{width}}" for _, width, cell in _COLUMNS))
    return "\n".join(lines)
