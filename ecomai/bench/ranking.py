"""Pure parts of the recommender benchmark: the hold-out split and the ranking metrics,
unit-tested exactly so the numbers `ecomai bench recommend` prints can be trusted.

The split holds out, for each customer, the last ``holdout`` *new* items they touched
(ordered by the time of their first event on the item; file order breaks ties) together
with every event on those items. Holding out events rather than items would let a
model "predict" a purchase from the view of the same item a minute before, which
measures nothing; this way every test item is one the customer had never touched in
the training data, and the benchmark filters training items out of every answer.
Customers with fewer than ``holdout + min_train_items`` distinct items stay in
training only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ecomai.errors import InvalidInput
from ecomai.recommend.matrix import Events


@dataclass(frozen=True)
class Split:
    """Attributes:
        train: every event not held out.
        test: customer -> the set of held-out items (never in that customer's training events).
    """

    train: Events
    test: dict[str, frozenset[str]]


def holdout_split(events: Events, holdout: int = 1, min_train_items: int = 2) -> Split:
    """Leave each customer's last ``holdout`` new items out (see the module docstring)."""
    if holdout < 1 or min_train_items < 1:
        raise InvalidInput("holdout and min_train_items must be >= 1")
    order = np.lexsort((np.arange(len(events)), events.times))  # by time, then file order
    first_seen: dict[str, dict[str, None]] = defaultdict(dict)  # insertion-ordered item sets
    for i in order:
        first_seen[events.users[i]].setdefault(events.items[i], None)
    test: dict[str, frozenset[str]] = {}
    for user, items in first_seen.items():
        if len(items) >= holdout + min_train_items:
            test[user] = frozenset(list(items)[-holdout:])
    held = np.array([events.items[i] in test.get(events.users[i], ()) for i in range(len(events))], dtype=bool)
    return Split(events.subset(~held), test)


def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """Binary-relevance NDCG@k: DCG of the hits over the DCG of a perfect list."""
    if not relevant:
        raise InvalidInput("ndcg of a customer with no relevant items")
    dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg / ideal


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """Hits in the top k over min(k, |relevant|) (Liang et al. 2018), so a perfect list
    scores 1 even when a customer has more than k held-out items."""
    if not relevant:
        raise InvalidInput("recall of a customer with no relevant items")
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


def score_rankings(rankings: Mapping[str, Sequence[str]], test: Mapping[str, frozenset[str]],
                   n_items: int) -> dict[str, float]:
    """Mean NDCG@10 and Recall@20 over the test customers, and catalog coverage@10
    (share of all items that appear in at least one customer's top 10).

    Raises:
        InvalidInput: a test customer has no ranking, or there is nothing to score.
    """
    if not test or n_items < 1:
        raise InvalidInput("nothing to score: no test customers or no items")
    missing = set(test) - set(rankings)
    if missing:
        raise InvalidInput(f"{len(missing)} test customers have no ranking")
    shown = {item for user in test for item in rankings[user][:10]}
    return {
        "ndcg@10": float(np.mean([ndcg_at(rankings[u], test[u], 10) for u in test])),
        "recall@20": float(np.mean([recall_at(rankings[u], test[u], 20) for u in test])),
        "coverage@10": len(shown) / n_items,
    }
