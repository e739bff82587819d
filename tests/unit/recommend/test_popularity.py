from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.popularity import PopularityRecommender
from ecomai.store.catalog import Interaction

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
CATEGORY = {"A": "shoes", "B": "shoes", "C": "bags", "D": "bags"}


def events(*pairs: tuple[str, str]) -> list[Interaction]:
    return [Interaction(customer_id="C1", sku=sku, event=kind, at=NOW) for sku, kind in pairs]


@pytest.fixture
def model() -> PopularityRecommender:
    # A: 2 purchases = 10; B: 4 views = 4; C: 1 cart = 3; D: 1 view = 1; Z is not in the catalog.
    interactions = events(("A", "purchase"), ("A", "purchase"), ("B", "view"), ("B", "view"), ("B", "view"),
                          ("B", "view"), ("C", "cart"), ("D", "view"), ("Z", "purchase"))
    return PopularityRecommender(CATEGORY).fit(interactions)


def test_ranks_by_weighted_events(model: PopularityRecommender) -> None:
    assert model.recommend(RecommendRequest(None, k=4)) == ["A", "B", "C", "D"]


def test_excludes_and_filters_by_category(model: PopularityRecommender) -> None:
    assert model.recommend(RecommendRequest("C1", k=5, exclude={"A"})) == ["B", "C", "D"]
    assert model.recommend(RecommendRequest(None, k=5, category="bags")) == ["C", "D"]


def test_unknown_items_are_ignored(model: PopularityRecommender) -> None:
    assert "Z" not in model.recommend(RecommendRequest(None, k=10))


def test_request_checks_k() -> None:
    with pytest.raises(ValueError):
        RecommendRequest(None, k=0)
