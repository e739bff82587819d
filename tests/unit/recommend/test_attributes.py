"""Item attributes let a model carry a taste for a brand to products nobody co-bought."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from ecomai.recommend.attributes import augment, augment_rows, build_attributes
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.matrix import WeightOptions
from ecomai.recommend.model import CFRecommender
from ecomai.store.catalog import Interaction
from tests.unit.recommend.conftest import SCORERS, START

CATALOG = {sku: "bags" for sku in ("A1", "A2", "A3", "Z1", "Z2", "Z3")}
BRANDS = {sku: [f"brand={'acme' if sku.startswith('A') else 'zeta'}"] for sku in CATALOG}


def _history() -> list[Interaction]:
    rows = [(f"U{i}", sku) for i in range(1, 5) for sku in ("A1", "A2")]
    rows += [(f"U{i}", sku) for i in range(5, 9) for sku in ("Z1", "Z2", "Z3")]
    rows += [("U9", "A3"), ("U10", "A1")]
    return [Interaction(u, sku, "purchase", START + timedelta(hours=n)) for n, (u, sku) in enumerate(rows)]


@pytest.mark.parametrize("attribute_weight, expected", [(0.0, "Z1"), (3.0, "A3")])
def test_brand_taste_reaches_a_product_nobody_co_bought(attribute_weight: float, expected: str) -> None:
    model = CFRecommender(SCORERS["ease"](), WeightOptions(attribute_weight=attribute_weight))
    model.fit(_history(), CATALOG, BRANDS)
    # U10 bought an Acme bag; A3 (Acme) was never bought with it. Without attributes the
    # popular Zeta bags win the tie; with them the brand carries over.
    assert model.recommend(RecommendRequest("U10", k=1, exclude={"A1", "A2"})) == [expected]


def test_attributes_survive_save_and_load(tmp_path: Path) -> None:
    model = CFRecommender(SCORERS["ease"](), WeightOptions(attribute_weight=3.0)).fit(_history(), CATALOG, BRANDS)
    model.save(tmp_path / "m.npz")
    loaded = CFRecommender.load(tmp_path / "m.npz")
    request = RecommendRequest("U10", k=5)
    assert loaded.recommend(request) == model.recommend(request)
    assert loaded.weights.attribute_weight == 3.0


def test_dense_and_sparse_augmentation_agree() -> None:
    attributes = build_attributes(["A1", "Z1", "NEW"], BRANDS)
    assert attributes.names == ("brand=acme", "brand=zeta")
    rows = np.array([[1.0, 2.0, 4.0]], dtype=np.float32)
    assert augment_rows(rows, attributes, 0.5).tolist() == [[1.0, 2.0, 4.0, 0.5, 1.0]]
    assert augment(rows, attributes, 0.5).toarray().tolist() == augment_rows(rows, attributes, 0.5).tolist()
    assert augment_rows(rows, attributes, 0.0) is rows
