"""One test set every recommender implementation must pass (EASE, implicit's ALS,
popularity), through the front end the shop serves (``CFRecommender``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.errors import InvalidInput
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.model import CFRecommender
from tests.unit.recommend.conftest import CATALOG, PERSONAL, SCORERS, tiny_history


def test_returns_k_catalog_items_best_first_without_duplicates(fitted: CFRecommender) -> None:
    top = fitted.recommend(RecommendRequest("U6", k=5))
    assert len(top) == 5 and len(set(top)) == 5 and set(top) <= set(CATALOG)


def test_never_returns_excluded_items(fitted: CFRecommender) -> None:
    everything = fitted.recommend(RecommendRequest("U6", k=len(CATALOG)))
    excluded = set(everything[:3])  # the three it likes best: bought, or out of stock
    again = fitted.recommend(RecommendRequest("U6", k=len(CATALOG), exclude=excluded))
    assert not excluded & set(again) and set(again) == set(everything) - excluded


def test_category_restricts_the_answer(fitted: CFRecommender) -> None:
    assert set(fitted.recommend(RecommendRequest("U7", k=10, category="shoes"))) == {"S1", "S2", "S3", "S4"}
    assert fitted.recommend(RecommendRequest("U7", k=10, category="no-such-category")) == []


def test_personal_scorers_learn_what_goes_together(kind: str, fitted: CFRecommender) -> None:
    top = fitted.recommend(RecommendRequest("U6", k=1, exclude={"S1", "S2"}))
    if kind in PERSONAL:
        assert top == ["S3"]  # the other shoe fans' third shoe, though bags are more popular
    else:
        assert top == ["B2"]  # popularity: the bag everyone bought


def test_new_customer_gets_the_most_popular_items(fitted: CFRecommender) -> None:
    # log-scaled weights: B2 (8 purchases), B3 (8 carts), S3 (5 purchases), S2 (5 carts + 1 purchase)
    assert fitted.recommend(RecommendRequest("NEW", k=4)) == ["B2", "B3", "S3", "S2"]
    assert fitted.recommend(RecommendRequest(None, k=2, category="shoes")) == ["S3", "S2"]


def test_context_items_steer_the_answer_and_are_not_repeated(kind: str, fitted: CFRecommender) -> None:
    top = fitted.recommend(RecommendRequest(None, k=2, context=("S1", "S2")))
    assert "S1" not in top and "S2" not in top
    if kind in PERSONAL:
        assert top[0] == "S3"


def test_also_bought(kind: str, fitted: CFRecommender) -> None:
    with_b1 = fitted.similar("B1", k=2)
    assert "B1" not in with_b1 and len(with_b1) == 2
    if kind in PERSONAL:
        assert set(with_b1) == {"B2", "B3"}
    assert "B2" not in fitted.similar("B1", k=3, exclude={"B2"})


def test_new_product_gets_popular_items_of_its_own_category(fitted: CFRecommender) -> None:
    # S4 is in the catalog, nobody touched it: the shoes others bought most.
    assert fitted.similar("S4", k=2) == ["S3", "S2"]
    # A product added after training: known only through the current catalog.
    live = fitted.with_catalog({**CATALOG, "S9": "shoes"})
    assert live.similar("S9", k=1) == ["S3"]


def test_products_gone_from_the_catalog_are_never_returned(fitted: CFRecommender) -> None:
    smaller = fitted.with_catalog({sku: c for sku, c in CATALOG.items() if sku != "B2"})
    assert "B2" not in smaller.recommend(RecommendRequest("U7", k=len(CATALOG)))
    assert "B2" in fitted.recommend(RecommendRequest("NEW", k=len(CATALOG)))  # the original is unchanged


def test_same_data_and_seed_give_the_same_answers(kind: str) -> None:
    first, second = (CFRecommender(SCORERS[kind]()).fit(tiny_history(), CATALOG) for _ in range(2))
    for user in ("U1", "U6", "U9", "NEW"):
        request = RecommendRequest(user, k=len(CATALOG))
        assert first.recommend(request) == second.recommend(request)


def test_save_and_load_round_trip(fitted: CFRecommender, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    fitted.save(path)
    loaded = CFRecommender.load(path)
    assert loaded.kind == fitted.kind
    for user in ("U1", "U6", "U9", "NEW"):
        request = RecommendRequest(user, k=len(CATALOG), context=("B1",) if user == "U1" else ())
        assert loaded.recommend(request) == fitted.recommend(request)
    assert loaded.similar("S4", k=3) == fitted.similar("S4", k=3)


def test_unfitted_model_and_bad_requests_are_clear_errors(kind: str) -> None:
    with pytest.raises(InvalidInput, match="not fitted"):
        CFRecommender(SCORERS[kind]()).recommend(RecommendRequest("U1"))
    with pytest.raises(InvalidInput, match="k must be"):
        RecommendRequest("U1", k=0)
    with pytest.raises(InvalidInput, match="no interaction"):
        CFRecommender(SCORERS[kind]()).fit([], CATALOG)
