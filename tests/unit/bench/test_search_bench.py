"""The search bench's pure parts: metrics on hand-computed rankings, the data readers'
errors, the synthetic catalog, and the table."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ecomai.bench.ir_metrics import mean_metrics, ndcg_at, recall_at, reciprocal_rank
from ecomai.bench.search import PEER, RawBM25, format_table, relative_gain
from ecomai.bench.search_data import read_products, read_qrels, read_queries
from ecomai.bench.synthetic import synthetic_products
from ecomai.errors import InvalidInput

GRADES = {"a": 3, "b": 2, "c": 1}


def test_ndcg_is_one_for_the_ideal_order_and_exact_otherwise() -> None:
    assert ndcg_at(["a", "b", "c"], GRADES) == pytest.approx(1.0)
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    assert ndcg_at(["x", "a"], GRADES) == pytest.approx((7 / math.log2(3)) / ideal)
    assert ndcg_at(["a"], {}) == 0.0


def test_recall_and_mrr_count_grade_two_and_up() -> None:
    assert recall_at(["c", "b"], GRADES) == 0.5
    assert reciprocal_rank(["c", "x", "b"], GRADES) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c"], GRADES) == 0.0


def test_mean_metrics_skip_queries_without_relevant_products() -> None:
    result = mean_metrics({"q1": ["a", "b"], "q2": ["z"]}, {"q1": GRADES, "q2": {"z": 1}})
    assert result["queries"] == 1 and result["recall@100"] == 1.0 and result["mrr"] == 1.0


def test_relative_gain() -> None:
    assert relative_gain(0.8, 0.5) == 60.0 and relative_gain(1.0, 0.0) == 0.0


def test_readers_refuse_bad_files(tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text("id,text\n1,x\n")
    (tmp_path / "r.csv").write_text("query_id,sku,grade\nQ1,S1,7\n")
    (tmp_path / "p.csv").write_text("sku,name,description,category,brand,color,sizes,price,stock,rating\n"
                                    "S1,n,d,c,b,red,,cheap,1,4.0\n")
    with pytest.raises(InvalidInput, match="lacks the columns"):
        read_queries(tmp_path / "q.csv")
    with pytest.raises(InvalidInput, match="outside 0-3"):
        read_qrels(tmp_path / "r.csv")
    with pytest.raises(InvalidInput):
        read_products(tmp_path / "p.csv")
    with pytest.raises(InvalidInput, match="does not exist"):
        read_products(tmp_path / "missing.csv")


def test_the_committed_judged_set_is_consistent() -> None:
    shop = Path(__file__).resolve().parents[3] / "data" / "shop"
    queries, qrels = read_queries(shop / "search_queries.csv"), read_qrels(shop / "search_qrels.csv")
    skus = {p.sku for p in read_products(shop / "products.csv")}
    assert len(queries) >= 120 and set(qrels) <= set(queries)
    assert all(sku in skus for grades in qrels.values() for sku in grades)


def test_synthetic_catalog_is_deterministic_and_sized() -> None:
    first, again = list(synthetic_products(50, seed=3)), list(synthetic_products(50, seed=3))
    assert first == again and len({p.sku for p in first}) == 50
    assert len({p.category for p in first}) == 10
    with pytest.raises(InvalidInput):
        list(synthetic_products(0))


def test_peer_ranks_by_words_only() -> None:
    peer = RawBM25(list(synthetic_products(200)))
    assert peer.search("xyzzy") == [] and len(peer.search("jacket")) > 0


def test_table_shows_every_system_and_the_targets() -> None:
    row = {"ndcg@10": 0.5, "recall@100": 0.7, "mrr": 0.6, "latency_ms": {"p50": 1.0, "p95": 2.0},
           "index_seconds": 0.1, "rss_added_mb": 3.0}
    result = {"results": {PEER: row, "ours": row}, "summary": {"ndcg@10_gain_vs_bm25_pct": 0.0, "p95_ms_ours": 2.0},
              "config": {"catalog_products": 9, "queries": 2, "device": "cpu", "torch_threads": 1, "peak_rss_mb": 9.0,
                         "notes": ["a note"]}}
    table = format_table(result)
    assert PEER in table and "ours" in table and "note: a note" in table and "target +10%" in table
