"""The recommender benchmark's split and metrics, exactly; and one tiny real run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ecomai.bench.ranking import holdout_split, ndcg_at, recall_at, score_rankings
from ecomai.bench.recommend import RecommendBenchOptions, format_table, run_recommend_bench
from ecomai.bench.recommend_data import read_interactions_csv, read_item_attributes
from ecomai.errors import InvalidInput
from ecomai.recommend.matrix import Events


def _events(rows: list[tuple[str, str, float]]) -> Events:
    users, items, times = zip(*rows)
    return Events(np.array(users, dtype=object), np.array(items, dtype=object), np.ones(len(rows)),
                  np.array(times, dtype=float))


def test_split_holds_out_the_last_new_items_with_all_their_events() -> None:
    events = _events([("u", "a", 1), ("u", "b", 2), ("u", "c", 3), ("u", "a", 4),  # a again: not new
                      ("u", "d", 5), ("u", "d", 6),
                      ("v", "a", 1), ("v", "b", 2)])  # too short: training only
    split = holdout_split(events, holdout=2, min_train_items=2)
    assert split.test == {"u": frozenset({"c", "d"})}
    kept = list(zip(split.train.users, split.train.items))
    assert kept == [("u", "a"), ("u", "b"), ("u", "a"), ("v", "a"), ("v", "b")]


def test_split_orders_by_time_then_file_order() -> None:
    events = _events([("u", "late", 9), ("u", "x", 1), ("u", "tie1", 5), ("u", "tie2", 5)])
    assert holdout_split(events, holdout=1).test == {"u": frozenset({"late"})}
    assert holdout_split(events, holdout=2).test == {"u": frozenset({"tie2", "late"})}


def test_ndcg_and_recall_values() -> None:
    assert ndcg_at(["a", "x", "b"], frozenset({"a", "b"}), 10) == pytest.approx(
        (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(["x", "y"], frozenset({"a"}), 10) == 0.0
    assert recall_at(["a", "x"], frozenset({"a", "b", "c"}), 2) == 0.5  # 1 hit of min(2, 3)
    scores = score_rankings({"u": ["a", "b"], "v": ["a", "c"]}, {"u": frozenset({"a"}), "v": frozenset({"z"})}, 10)
    assert scores == {"ndcg@10": 0.5, "recall@20": 0.5, "coverage@10": 0.3}
    with pytest.raises(InvalidInput, match="no ranking"):
        score_rankings({}, {"u": frozenset({"a"})}, 10)


def test_reads_both_csv_layouts_and_refuses_others(tmp_path: Path) -> None:
    generic = tmp_path / "g.csv"
    generic.write_text("user,item,weight,timestamp\nu,a,2.5,2024-01-02T00:00:00+00:00\nu,b,,100\n")
    events = read_interactions_csv(generic)
    assert events.weights.tolist() == [2.5, 1.0] and events.times[1] == 100.0
    shop = tmp_path / "s.csv"
    shop.write_text("customer_id,sku,event,days_ago\nC1,S1,purchase,3\nC1,S2,view,1\n")
    events = read_interactions_csv(shop)
    assert events.weights.tolist() == [5.0, 1.0] and events.times[0] < events.times[1]
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInput, match="header"):
        read_interactions_csv(tmp_path / "bad.csv")
    (tmp_path / "nan.csv").write_text("user,item,weight\nu,a,heavy\n")
    with pytest.raises(InvalidInput, match="line 2"):
        read_interactions_csv(tmp_path / "nan.csv")


def test_tiny_run_reports_every_model_on_one_split(tmp_path: Path) -> None:
    rows = ["user,item,timestamp"]
    for u in range(12):
        group = "ab" if u % 2 else "xy"
        rows += [f"u{u},{group[0]}{i},{t}" for t, i in enumerate(range(4))]
        rows += [f"u{u},{group[1]}{i},{t + 10}" for t, i in enumerate(range(2))]
    path = tmp_path / "i.csv"
    path.write_text("\n".join(rows) + "\n")
    options = RecommendBenchOptions(path, holdout=1, ease_grid={"l2": (1.0, 10.0)},
                                    als_grid={"factors": (2,), "regularization": (0.1,), "alpha": (1.0,)})
    result = run_recommend_bench(options)
    assert set(result["results"]) == {"ours (EASE)", "implicit ALS", "popularity"}
    assert result["config"]["test_customers"] == 12
    assert result["tuning"]["ease"]["chosen"]["l2"] in (1.0, 10.0) and len(result["tuning"]["ease"]["trials"]) == 2
    for row in result["results"].values():
        assert 0 <= row["ndcg@10"] <= 1 and row["latency_ms"]["p95"] >= row["latency_ms"]["p50"]
    assert "NDCG@10" in format_table(result)


def test_options_are_checked_up_front(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="either"):
        RecommendBenchOptions()
    with pytest.raises(InvalidInput, match="no such file"):
        RecommendBenchOptions(tmp_path / "absent.csv")
