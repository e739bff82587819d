"""Pure statistics of a load run: per-turn outcomes in, counts, throughput and latency
percentiles out. No I/O, so the numbers the bench prints are unit-tested exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from ecomai.bench.table import Column, table_lines
from ecomai.errors import InvalidInput

OK, EMPTY, ERROR, TIMEOUT, NOT_SENT = "ok", "empty", "error", "timeout", "not_sent"
_OUTCOMES = (OK, EMPTY, ERROR, TIMEOUT, NOT_SENT)


@dataclass(frozen=True)
class TurnResult:
    """One measured turn: ``outcome`` is ok/empty/error/timeout/not_sent, latency in seconds."""

    outcome: str
    latency_s: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation (numpy's default).

    Raises:
        InvalidInput: empty ``values`` or ``q`` outside [0, 100].
    """
    if not values:
        raise InvalidInput("percentile of no values")
    if not 0 <= q <= 100:
        raise InvalidInput(f"q must be within [0, 100], got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(results: Sequence[TurnResult], wall_s: float) -> dict[str, Any]:
    """Counts, throughput and latency percentiles (ms) of one channel's run.

    ``lost`` = turns sent that never got a bot message (timed out, or finished empty).
    Throughput counts answered turns only; latencies are those of answered turns.
    """
    counts = {name: sum(r.outcome == name for r in results) for name in _OUTCOMES}
    return {
        "turns_planned": len(results),
        "turns_sent": len(results) - counts[NOT_SENT],
        "answered": counts[OK],
        "errors": counts[ERROR],
        "timeouts": counts[TIMEOUT],
        "empty": counts[EMPTY],
        "lost": counts[TIMEOUT] + counts[EMPTY],
        "not_sent": counts[NOT_SENT],
        "wall_s": round(wall_s, 3),
        "turns_per_s": round(counts[OK] / wall_s, 2) if wall_s > 0 else 0.0,
        "latency_ms": _latency_ms([r.latency_s * 1000 for r in results if r.outcome == OK]),
    }


def _latency_ms(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    quantiles = {f"p{q}": percentile(values, q) for q in (50, 95, 99)}
    stats = {**quantiles, "mean": sum(values) / len(values), "max": max(values)}
    return {name: round(value, 2) for name, value in stats.items()}


# cells read from one channel's summary
_COLUMNS: tuple[Column, ...] = (
    ("answered", 9, lambda s: str(s["answered"])),
    ("lost", 6, lambda s: str(s["lost"])),
    ("errors", 8, lambda s: str(s["errors"])),
    ("turns/s", 9, lambda s: f"{s['turns_per_s']:.1f}"),
    ("p50 ms", 9, lambda s: _ms(s, "p50")),
    ("p95 ms", 9, lambda s: _ms(s, "p95")),
    ("p99 ms", 9, lambda s: _ms(s, "p99")),
)


def format_table(result: dict[str, Any]) -> str:
    """A short plain-text table of ``run_load``'s result, one row per channel."""
    rows = table_lines("channel", 18, result["results"], _COLUMNS)
    config = result["config"]
    rows.append(
        f"{config['clients']} clients x {config['turns']} turns, "
        f"timeout {config['timeout_s']} s per turn"
    )
    return "\n".join(rows)


def _ms(stats: dict[str, Any], key: str) -> str:
    latency = stats["latency_ms"]
    return "-" if latency is None else f"{latency[key]:.1f}"
