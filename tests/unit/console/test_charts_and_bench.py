from pathlib import Path

from ecomai.bench.console import ConsoleBenchOptions, format_table, run_console_bench
from ecomai.console.charts import bar_chart, column_chart


def test_charts_escape_labels_and_show_every_point() -> None:
    svg = bar_chart([("<script>", 3), ("greet", 1)], title="Intents")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and svg.count("<rect") == 2
    days = column_chart([("2024-06-01", 2), ("2024-06-02", 0)], title="Per day")
    assert days.count("<rect") == 2 and "max 2" in days
    assert "No data" in column_chart([], title="Per day")


def test_bench_runs_small_and_both_sides_agree(tmp_path: Path) -> None:
    result = run_console_bench(ConsoleBenchOptions(conversations=150, repeats=1, keep_db=tmp_path / "b.db"))
    assert result["database"]["messages"] == 1500
    assert all(r["same_results"] for r in result["results"]), format_table(result)
    assert {r["query"] for r in result["results"]} >= {"fallback", "text 'refund'"}
    assert "naive p50" in format_table(result)
