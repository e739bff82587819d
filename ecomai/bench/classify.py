"""Pure scoring of a text classifier run, shared by our model's bench and the Rasa
peer's subprocess, so both sides are measured by the same code."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ecomai.bench.stats import percentile
from ecomai.bench.table import Column, table_lines
from ecomai.nlu.metrics import accuracy, macro_f1, top_label_calibration_error


def score_run(gold: Sequence[str], predicted: Sequence[str], train_seconds: float,
              single_latencies_s: Sequence[float], batch_messages: int, batch_seconds: float,
              confidences: Sequence[float]) -> dict[str, Any]:
    """One classifier's bench row.

    Args:
        gold / predicted: labels of the test messages.
        train_seconds: wall time of training.
        single_latencies_s: seconds to classify one message at a time (after warm-up).
        batch_messages / batch_seconds: messages classified in batches and the wall time.
        confidences: the confidence reported with each predicted label: its test-set ECE
            says whether a fallback threshold on it means what it says.
    """
    correct = np.array([g == p for g, p in zip(gold, predicted)])
    return {
        "accuracy": round(accuracy(gold, predicted), 4),
        "macro_f1": round(macro_f1(gold, predicted), 4),
        "ece": round(top_label_calibration_error(np.asarray(confidences, dtype=float), correct), 4),
        "train_seconds": round(train_seconds, 1),
        "latency_ms": {f"p{q}": round(percentile([s * 1000 for s in single_latencies_s], q), 2) for q in (50, 95)},
        "messages_per_s": round(batch_messages / batch_seconds, 1) if batch_seconds > 0 else None,
        "test_messages": len(gold),
    }


_COLUMNS: tuple[Column, ...] = (
    ("accuracy", 10, lambda r: f"{r['accuracy'] * 100:.2f}%"),
    ("macro-F1", 10, lambda r: f"{r['macro_f1'] * 100:.2f}"),
    ("ECE", 8, lambda r: f"{r['ece']:.3f}"),
    ("train s", 10, lambda r: f"{r['train_seconds']:.0f}"),
    ("p50 ms", 9, lambda r: f"{r['latency_ms']['p50']:.1f}"),
    ("p95 ms", 9, lambda r: f"{r['latency_ms']['p95']:.1f}"),
    ("msg/s", 9, lambda r: "-" if r["messages_per_s"] is None else f"{r['messages_per_s']:.0f}"),
)


def format_rows(rows: dict[str, dict[str, Any]]) -> str:
    """Plain-text table, one line per classifier (rows without metrics show their note)."""
    def note(row: dict[str, Any]) -> str | None:
        return None if "accuracy" in row else row.get("note", "not run")

    return "\n".join(table_lines("model", 34, rows, _COLUMNS, note))
