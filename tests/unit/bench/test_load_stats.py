"""Pure statistics of the load bench: the numbers it prints."""

from __future__ import annotations

import pytest

from ecomai.bench.stats import EMPTY, ERROR, NOT_SENT, OK, TIMEOUT, TurnResult, format_table, percentile, summarize
from ecomai.errors import InvalidInput


@pytest.mark.parametrize(
    ("q", "expected"), [(0, 1.0), (50, 2.5), (100, 4.0), (25, 1.75), (95, 3.85), (99, 3.97)]
)
def test_percentile_interpolates_linearly_like_numpy(q: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_percentile_of_one_value() -> None:
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_bad_input(values: list[float], q: float) -> None:
    with pytest.raises(InvalidInput):
        percentile(values, q)


def test_summarize_counts_lost_errors_and_throughput() -> None:
    results = [
        TurnResult(OK, 0.1), TurnResult(OK, 0.2), TurnResult(OK, 0.3), TurnResult(OK, 0.4),
        TurnResult(EMPTY, 0.05), TurnResult(TIMEOUT, 5.0), TurnResult(ERROR, 0.01), TurnResult(NOT_SENT),
    ]
    summary = summarize(results, wall_s=2.0)
    assert summary["turns_planned"] == 8 and summary["turns_sent"] == 7
    assert (summary["answered"], summary["errors"], summary["timeouts"], summary["empty"]) == (4, 1, 1, 1)
    assert summary["lost"] == 2 and summary["not_sent"] == 1
    assert summary["turns_per_s"] == 2.0
    assert summary["latency_ms"] == {"p50": 250.0, "p95": 385.0, "p99": 397.0, "mean": 250.0, "max": 400.0}


def test_summarize_without_answers_has_no_latency() -> None:
    summary = summarize([TurnResult(TIMEOUT, 1.0)], wall_s=1.0)
    assert summary["latency_ms"] is None and summary["lost"] == 1 and summary["turns_per_s"] == 0.0


def test_format_table_has_a_row_per_channel() -> None:
    stats = summarize([TurnResult(OK, 0.012)], wall_s=1.0)
    empty = summarize([TurnResult(TIMEOUT, 1.0)], wall_s=1.0)
    table = format_table({
        "config": {"clients": 1, "turns": 1, "timeout_s": 5.0},
        "results": {"ecomai_websocket": stats, "rasa_rest": empty},
    })
    lines = table.splitlines()
    assert lines[2].split() == ["ecomai_websocket", "1", "0", "0", "1.0", "12.0", "12.0", "12.0"]
    assert lines[3].split() == ["rasa_rest", "0", "1", "0", "0.0", "-", "-", "-"]
