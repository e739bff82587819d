"""`ecomai train recommend` and ShopServices' recommendation calls, on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ecomai.config import Settings
from ecomai.errors import InvalidInput
from ecomai.recommend.model import CFRecommender
from ecomai.recommend.train import TrainRecommendOptions, model_path, train_recommender
from ecomai.services import ShopServices


def _services(engine: Engine, model_dir: Path) -> ShopServices:
    return ShopServices(Settings(database_url=str(engine.url), recommender_dir=model_dir))


def test_training_writes_a_loadable_model(shop_engine: Engine, tmp_path: Path) -> None:
    report = train_recommender(shop_engine, tmp_path / "rec", TrainRecommendOptions(l2=1.0), progress=False)
    model = CFRecommender.load(model_path(tmp_path / "rec"))
    assert report["kind"] == model.kind == "ease" and report["interactions"] == 41
    assert model.knows("U6")


def test_training_an_empty_store_is_a_clear_error(shop_engine: Engine, tmp_path: Path) -> None:
    from ecomai.store.schema import interactions

    with shop_engine.begin() as conn:
        conn.execute(interactions.delete())
    with pytest.raises(InvalidInput, match="no products or no interactions"):
        train_recommender(shop_engine, tmp_path / "rec", progress=False)
    assert not (tmp_path / "rec").exists()


def test_recommendations_skip_out_of_stock_and_follow_retraining(shop_engine: Engine, tmp_path: Path) -> None:
    shop = _services(shop_engine, tmp_path / "rec")
    # No model yet: popularity. S3 would lead the shoes but it is out of stock.
    assert shop.recommender.current().kind == "popularity"
    shoes = shop.recommend_for(None, category_words="shoes", k=4)
    assert [p.sku for p in shoes] == ["S2", "S1", "S4"]

    train_recommender(shop_engine, tmp_path / "rec", TrainRecommendOptions(l2=1.0), progress=False)
    top = shop.recommend_for("U6", k=3)
    assert shop.recommender.current().kind == "ease"
    assert top and all(p.in_stock for p in top) and "S3" not in {p.sku for p in top}


def test_in_context_and_also_bought(shop_engine: Engine, tmp_path: Path) -> None:
    train_recommender(shop_engine, tmp_path / "rec", TrainRecommendOptions(l2=1.0), progress=False)
    shop = _services(shop_engine, tmp_path / "rec")
    after_search = [p.sku for p in shop.recommend_for(None, context_skus=["B1"], k=2)]
    assert after_search == ["B2", "B3"]
    assert [p.sku for p in shop.also_bought("B3", k=2)] == ["B2", "B1"]
    assert [p.sku for p in shop.also_bought("H1", k=2)] == []  # a hat nobody bought: no other hats
    assert "S3" not in {p.sku for p in shop.also_bought("S1", k=5)}  # out of stock
