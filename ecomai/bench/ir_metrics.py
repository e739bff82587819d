"""Ranking metrics for graded judgments (pure), as TREC and BEIR compute them:
NDCG with exponential gain (2^grade - 1) and log2 discount, recall at a cut-off, and
mean reciprocal rank. A product counts as relevant for recall and MRR from
``RELEVANT_GRADE`` up (grade 1 is "near": another type of the same category)."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

RELEVANT_GRADE = 2


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k of one ranking; 0 when nothing is judged relevant (such queries are
    better left out of an average, see ``mean_metrics``)."""
    gains = [2 ** grades.get(sku, 0) - 1 for sku in ranked[:k]]
    ideal = sorted((2 ** g - 1 for g in grades.values() if g > 0), reverse=True)[:k]
    ideal_dcg = _dcg(ideal)
    return _dcg(gains) / ideal_dcg if ideal_dcg > 0 else 0.0


def recall_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = 100) -> float:
    relevant = {sku for sku, g in grades.items() if g >= RELEVANT_GRADE}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    for position, sku in enumerate(ranked, start=1):
        if grades.get(sku, 0) >= RELEVANT_GRADE:
            return 1.0 / position
    return 0.0


def mean_metrics(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Mean NDCG@10, Recall@100 and MRR over the queries that have a relevant product
    (a query without any cannot tell systems apart); ``queries`` says how many."""
    judged = [q for q in rankings if any(g >= RELEVANT_GRADE for g in qrels.get(q, {}).values())]
    if not judged:
        return {"ndcg@10": 0.0, "recall@100": 0.0, "mrr": 0.0, "queries": 0}
    n = len(judged)
    return {
        "ndcg@10": round(sum(ndcg_at(rankings[q], qrels[q]) for q in judged) / n, 4),
        "recall@100": round(sum(recall_at(rankings[q], qrels[q]) for q in judged) / n, 4),
        "mrr": round(sum(reciprocal_rank(rankings[q], qrels[q]) for q in judged) / n, 4),
        "queries": n,
    }


def _dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))
