"""`ecomai train recommend`: fit the served model on the shop's history and swap it in.

The served model is EASE on log-scaled event weights plus each product's category and
brand as attribute columns, with ``l2=DEFAULT_L2`` and ``attribute_weight=DEFAULT_ATTRIBUTE_WEIGHT``:
the model and setting that won on the validation split of `ecomai bench recommend` on the
demo shop (README "Recommendations"). Training reads the store, fits, and replaces the model file
atomically, so the action server's ``LiveRecommender`` picks it up on its next request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from tqdm import tqdm

from ecomai.errors import InvalidInput
from ecomai.recommend.ease import EaseOptions, EaseScorer
from ecomai.recommend.matrix import WeightOptions
from ecomai.recommend.model import CFRecommender
from ecomai.store import catalog

MODEL_FILE = "model.npz"
DEFAULT_L2 = 200.0
DEFAULT_ATTRIBUTE_WEIGHT = 3.0


@dataclass(frozen=True)
class TrainRecommendOptions:
    """Attributes:
        l2: EASE's ridge penalty.
        attribute_weight: weight of the category/brand columns (0: none).
        half_life_days: recency decay of events (None: none).
        device: "cpu", "cuda" or None (cuda when present).
    """

    l2: float = DEFAULT_L2
    attribute_weight: float = DEFAULT_ATTRIBUTE_WEIGHT
    half_life_days: float | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        EaseOptions(l2=self.l2)  # checks it
        WeightOptions(half_life_days=self.half_life_days, attribute_weight=self.attribute_weight)


def model_path(model_dir: Path) -> Path:
    """The one file that holds the served model inside ``model_dir``."""
    return model_dir / MODEL_FILE


def train_recommender(engine: Engine, model_dir: Path, options: TrainRecommendOptions = TrainRecommendOptions(),
                      progress: bool = True) -> dict[str, Any]:
    """Fit on every interaction in the store and write ``model_dir/model.npz`` atomically.

    Raises:
        InvalidInput: the store has no products or no interactions.
        StoreUnavailable: the database cannot be read.
    """
    with tqdm(total=3, desc="train recommender", unit="step", disable=not progress) as bar:
        bar.set_postfix_str("reading history")
        products = catalog.load_products(engine)
        interactions = catalog.load_interactions(engine)
        if not products or not interactions:
            raise InvalidInput("the store has no products or no interactions: run `ecomai db init` first")
        bar.update()
        bar.set_postfix_str("fitting EASE")
        start = time.perf_counter()
        model = CFRecommender(EaseScorer(EaseOptions(l2=options.l2, device=options.device)),
                              WeightOptions(half_life_days=options.half_life_days,
                                            attribute_weight=options.attribute_weight))
        attributes = {p.sku: [f"category={p.category}", f"brand={p.brand}"] for p in products}
        model.fit(interactions, {p.sku: p.category for p in products}, attributes)
        fit_s = time.perf_counter() - start
        bar.update()
        bar.set_postfix_str("saving")
        path = model_path(model_dir)
        model.save(path)
        bar.update()
    return {"model": str(path), "kind": model.kind, "products": len(products), "interactions": len(interactions),
            "fit_seconds": round(fit_s, 3), "l2": options.l2, "attribute_weight": options.attribute_weight,
            "half_life_days": options.half_life_days}
