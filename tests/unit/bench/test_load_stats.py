"""Pure statistics and option checks of the load bench."""

from __future__ import annotations

import pytest

from ecomai.bench.load import (
    EMPTY,
    ERROR,
    NOT_SENT,
    OK,
    SCRIPT,
    TIMEOUT,
    TurnResult,
    check_options,
    format_table,
    percentile,
    script_for,
    summarize,
)
from ecomai.errors import InvalidInput

WS, REST = "ws://127.0.0.1:5005/webhooks/ecomai/ws", "http://localhost:5005/webhooks/rest/webhook"


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


def test_scripts_are_varied_and_rotated_per_client() -> None:
    assert len(set(SCRIPT)) == len(SCRIPT) >= 10
    assert script_for(0, 3) == list(SCRIPT[:3])
    assert script_for(1, 2) == [SCRIPT[1], SCRIPT[2]]
    assert len(script_for(3, 45)) == 45


def test_local_options_are_accepted() -> None:
    check_options(WS, REST, clients=50, turns=20, timeout_s=60)
    check_options("ws://localhost:1/x", "http://[::1]:2/y", clients=1, turns=1, timeout_s=0.5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ws_url": "ws://shop.example.com/ws"},
        {"rest_url": "http://10.0.0.1:5005/webhooks/rest/webhook"},
        {"ws_url": "http://127.0.0.1:5005/ws"},
        {"rest_url": "https://localhost/webhook"},
        {"clients": 0}, {"clients": 501}, {"turns": 0}, {"turns": 1001},
        {"timeout_s": 0}, {"timeout_s": 601},
    ],
)
def test_unsafe_or_unbounded_options_are_refused(kwargs: dict) -> None:
    options = {"ws_url": WS, "rest_url": REST, "clients": 2, "turns": 2, "timeout_s": 5.0, **kwargs}
    with pytest.raises(InvalidInput):
        check_options(**options)
