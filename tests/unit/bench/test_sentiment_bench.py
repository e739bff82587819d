from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.bench.sentiment import format_table, label_for_rating, parse_rated_lines, run_sentiment_bench, vader_label
from ecomai.errors import InvalidInput


@pytest.mark.parametrize(("mean", "label"), [(0.51, "positive"), (0.5, "neutral"), (-0.5, "neutral"),
                                             (-0.51, "negative"), (3.2, "positive"), (0.0, "neutral")])
def test_three_classes_by_half_a_point(mean: float, label: str) -> None:
    assert label_for_rating(mean) == label


def test_vader_uses_its_own_thresholds() -> None:
    assert [vader_label(x) for x in (0.06, 0.04, -0.06)] == ["positive", "neutral", "negative"]


def test_parses_vader_lines() -> None:
    lines = parse_rated_lines(["1_1\t-0.9\tno picture, scrolling b/w.", "", "1_2\t2.5\tlove it\twith a tab"])
    assert [(line.text, line.mean, line.label) for line in lines] == [
        ("no picture, scrolling b/w.", -0.9, "negative"), ("love it\twith a tab", 2.5, "positive")]
    with pytest.raises(InvalidInput, match="line 1"):
        parse_rated_lines(["1_1 -0.9 spaces, not tabs"])


def test_bench_scores_both_models_on_the_same_lines(tmp_path: Path) -> None:
    pytest.importorskip("vaderSentiment", reason="the bench extra is not installed")
    data = tmp_path / "rated.txt"
    data.write_text("1\t2.0\tI love this great player\n2\t-2.5\tterrible, awful, broken\n3\t0.1\tit is a dvd player\n")
    result = run_sentiment_bench(data, lambda texts: ["positive"] * len(texts), "test stub")
    ours, vader = result["results"].values()
    assert result["config"]["gold_counts"] == {"negative": 1, "neutral": 1, "positive": 1}
    assert ours["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert vader["accuracy"] == 1.0
    difference = result["ours_minus_peer"]["macro_f1"]
    assert set(result["ours_minus_peer"]) == {"accuracy", "macro_f1", "resamples", "method"}
    assert difference["points"] == pytest.approx(100 * (ours["macro_f1"] - vader["macro_f1"]), abs=0.01)
    assert difference["ci95"][0] <= difference["points"] <= difference["ci95"][1]
    table = format_table(result)
    assert "test stub" in table
    assert f"ours - VADER, macro-F1: {difference['points']:+.2f} points, 95% CI" in table
