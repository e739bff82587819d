from __future__ import annotations

import pytest

from ecomai.bench.classify import format_rows, score_run


def test_score_run_reports_quality_speed_and_latency() -> None:
    row = score_run(["a", "a", "b", "b"], ["a", "b", "b", "b"], train_seconds=12.34,
                    single_latencies_s=[0.001 * i for i in range(1, 101)], batch_messages=500, batch_seconds=2.0,
                    confidences=[0.9, 0.8, 0.6, 0.7])
    assert row["accuracy"] == 0.75
    # bins: 0.9 right, 0.8 wrong, 0.6 right, 0.7 right -> (0.1 + 0.8 + 0.4 + 0.3) / 4
    assert row["ece"] == pytest.approx(0.4)
    assert row["macro_f1"] == pytest.approx(round((2 / 3 + 0.8) / 2, 4))
    assert row["latency_ms"] == {"p50": 50.5, "p95": 95.05}
    assert row["messages_per_s"] == 250.0 and row["train_seconds"] == 12.3 and row["test_messages"] == 4


def test_table_has_a_line_per_model_and_shows_notes() -> None:
    row = score_run(["a"], ["a"], 1.0, [0.002], 10, 1.0, [0.75])
    table = format_rows({"ours": row, "peer": {"note": "skipped (--skip-diet)"}})
    assert "100.00%" in table and "0.250" in table and "skipped (--skip-diet)" in table
    assert len(table.splitlines()) == 4
