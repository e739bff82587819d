"""Reciprocal-rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009): combine rankings
by rank alone, so BM25 scores (unbounded) and cosine similarities (-1..1) need no
calibration against each other. Pure numpy."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ecomai.errors import InvalidInput


def reciprocal_rank_fusion(rankings: Sequence[np.ndarray], weights: Sequence[float], k: float = 60.0) -> np.ndarray:
    """Ids ranked by ``sum(weight / (k + rank))`` over the rankings each appears in.

    Args:
        rankings: arrays of ids, best first (an id at most once per ranking).
        weights: one non-negative weight per ranking.
        k: damping constant; 60 is the published default.

    Returns:
        int64 ids, best first; ties keep the smaller id first.
    """
    if len(rankings) != len(weights) or any(w < 0 for w in weights) or k <= 0:
        raise InvalidInput("need one non-negative weight per ranking and k > 0")
    ids = np.concatenate([np.asarray(r, dtype=np.int64) for r in rankings]) if rankings else np.zeros(0, np.int64)
    if not len(ids):
        return ids
    contributions = np.concatenate([w / (k + 1.0 + np.arange(len(r))) for r, w in zip(rankings, weights)])
    unique, inverse = np.unique(ids, return_inverse=True)
    fused = np.bincount(inverse, weights=contributions)
    return unique[np.argsort(-fused, kind="stable")]
