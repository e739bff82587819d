"""Popularity ranking: the honest baseline until collaborative filtering lands.

It ignores who is asking except to exclude what they already have, so every shopper
in a category sees the same list. It is also the cold-start answer later.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

from ecomai.recommend.base import DEFAULT_EVENT_WEIGHTS, RecommendRequest
from ecomai.store.catalog import Interaction


class PopularityRecommender:
    """Ranks items by weighted interaction count (purchases count more than views)."""

    def __init__(self, item_category: Mapping[str, str], weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS) -> None:
        self._item_category = dict(item_category)
        self._weights = dict(weights)
        self._ranking: list[str] = []

    def fit(self, interactions: Sequence[Interaction]) -> "PopularityRecommender":
        score: dict[str, float] = defaultdict(float)
        for event in interactions:
            if event.sku in self._item_category:
                score[event.sku] += self._weights.get(event.event, 0.0)
        self._ranking = sorted(score, key=lambda sku: (-score[sku], sku))
        return self

    def recommend(self, request: RecommendRequest) -> list[str]:
        """The most popular SKUs allowed by ``request``, best first."""
        excluded = set(request.exclude)
        picked: list[str] = []
        for sku in self._ranking:
            if sku in excluded:
                continue
            if request.category is not None and self._item_category[sku] != request.category:
                continue
            picked.append(sku)
            if len(picked) == request.k:
                break
        return picked
