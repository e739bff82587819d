"""`ecomai bench recommend`: our EASE, implicit's ALS and popularity on one split, in one run.

Input (``ecomai.bench.recommend_data``): an interactions CSV, optionally item attributes
(category, brand), or a synthetic shop of N customers from our demo generator (same taste
model, more people).

Fairness: every model gets the same weighted matrix (with the same item-attribute
columns, whose weight each model tunes; 0 = without) and the same split. Each model's
hyperparameters are tuned on a validation split carved from the training data the
same way (the last new items of each training history), picking the best NDCG@10 over a
small grid; the chosen setting is then refit on the whole training split and scored once
on the test split. Latency is per request through the same front end
(``CFRecommender.recommend``), which also does the filtering the shop needs.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from tqdm import tqdm

from ecomai.bench.ranking import Split, holdout_split, score_rankings
from ecomai.bench.stats import percentile
from ecomai.bench.table import Column, table_lines
from ecomai.errors import InvalidInput
from ecomai.bench.recommend_data import ItemAttributes, read_interactions_csv, read_item_attributes, synthetic_shop
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.matrix import Events, WeightOptions
from ecomai.recommend.model import CFRecommender, Scorer

# attribute_weight is WeightOptions' (the matrix), the rest the scorer's options. Each grid
# reaches past the values that won on the demo shop and a 1,000-customer synthetic shop,
# so no model's best setting sits at a grid's edge.
_ATTRIBUTE_WEIGHTS = (0.0, 1.0, 3.0, 10.0)
EASE_GRID: dict[str, Sequence[Any]] = {"l2": (10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0),
                                       "attribute_weight": _ATTRIBUTE_WEIGHTS}
ALS_GRID: dict[str, Sequence[Any]] = {"factors": (8, 16, 32, 64, 128), "regularization": (0.1, 1.0, 10.0, 100.0),
                                      "alpha": (0.5, 1.0, 5.0), "attribute_weight": _ATTRIBUTE_WEIGHTS}


@dataclass(frozen=True)
class RecommendBenchOptions:
    """Attributes:
        interactions: the CSV to read, or None with ``synthetic_customers``.
        synthetic_customers: generate a demo-style shop with this many customers instead.
        items: CSV of item attributes (optional; see ``recommend_data``).
        item_columns: the attribute columns of ``items`` to use.
        holdout: new items held out per customer (test, and again for validation).
        half_life_days: recency decay of event weights, for every model alike.
        seed: ALS initialisation and the synthetic shop.
        device: for EASE ("cpu", "cuda", None = cuda when present).
        ease_grid / als_grid: hyperparameter grids tuned on the validation split.
    """

    interactions: Path | None = None
    synthetic_customers: int | None = None
    items: Path | None = None
    item_columns: tuple[str, ...] = ("category", "brand")
    holdout: int = 1
    half_life_days: float | None = None
    seed: int = 42
    device: str | None = None
    ease_grid: dict[str, Sequence[Any]] = field(default_factory=lambda: dict(EASE_GRID))
    als_grid: dict[str, Sequence[Any]] = field(default_factory=lambda: dict(ALS_GRID))

    def __post_init__(self) -> None:
        if (self.interactions is None) == (self.synthetic_customers is None):
            raise InvalidInput("give either an interactions CSV or synthetic_customers")
        if self.synthetic_customers is not None and self.synthetic_customers < 10:
            raise InvalidInput("synthetic_customers must be >= 10")
        for path in (self.interactions, self.items):
            if path is not None and not path.is_file():
                raise InvalidInput(f"no such file: {path}")
        if self.holdout < 1:
            raise InvalidInput("holdout must be >= 1")
        WeightOptions(half_life_days=self.half_life_days)  # checks it


def _make(kind: str, params: dict[str, Any], options: RecommendBenchOptions) -> Scorer:
    from ecomai.recommend.als import AlsOptions, AlsScorer
    from ecomai.recommend.ease import EaseOptions, EaseScorer
    from ecomai.recommend.popularity import PopularityScorer

    params = {k: v for k, v in params.items() if k != "attribute_weight"}
    if kind == "ease":
        return EaseScorer(EaseOptions(device=options.device, **params))
    if kind == "als":
        return AlsScorer(AlsOptions(seed=options.seed, **params))
    return PopularityScorer()


def _evaluate(model: CFRecommender, split: Split, train_items: dict[str, set[str]]) -> tuple[dict[str, list[str]],
                                                                                              list[float]]:
    rankings, latencies = {}, []
    for user in split.test:
        request = RecommendRequest(user, k=20, exclude=train_items.get(user, set()))
        start = time.perf_counter()
        rankings[user] = model.recommend(request)
        latencies.append(time.perf_counter() - start)
    return rankings, latencies


def _items_by_user(events: Events) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for user, item in zip(events.users, events.items):
        seen.setdefault(user, set()).add(item)
    return seen


@dataclass(frozen=True)
class _Data:
    catalog: dict[str, str]
    attributes: ItemAttributes | None


def _fit(kind: str, params: dict[str, Any], split: Split, data: _Data,
         options: RecommendBenchOptions) -> tuple[CFRecommender, float]:
    weights = WeightOptions(half_life_days=options.half_life_days,
                            attribute_weight=params.get("attribute_weight", 0.0))
    model = CFRecommender(_make(kind, params, options), weights)
    start = time.perf_counter()
    model.fit_events(split.train, data.catalog, data.attributes)
    return model, time.perf_counter() - start


def _tune(kind: str, grid: dict[str, Sequence[Any]], validation: Split, data: _Data,
          options: RecommendBenchOptions, progress: tqdm) -> dict[str, Any]:
    seen = _items_by_user(validation.train)
    catalog = data.catalog
    trials: list[dict[str, Any]] = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        model, _ = _fit(kind, params, validation, data, options)
        ndcg = score_rankings(_evaluate(model, validation, seen)[0], validation.test, len(catalog))["ndcg@10"]
        trials.append({"params": params, "validation_ndcg@10": round(ndcg, 4)})
        progress.update()
    best = max(trials, key=lambda t: t["validation_ndcg@10"])
    return {"grid": {k: list(v) for k, v in grid.items()}, "trials": trials, "chosen": best["params"]}


def run_recommend_bench(options: RecommendBenchOptions) -> dict[str, Any]:
    """Tune on validation, then fit and score ours, ALS and popularity on the test split."""
    attributes: ItemAttributes | None = None
    if options.interactions is not None:
        events, source = read_interactions_csv(options.interactions), str(options.interactions)
        if options.items is not None:
            attributes = read_item_attributes(options.items, options.item_columns)
            source += f" + {options.items} ({', '.join(options.item_columns)})"
    else:
        assert options.synthetic_customers is not None
        events, attributes = synthetic_shop(options.synthetic_customers, options.seed)
        source = f"synthetic demo shop, {options.synthetic_customers} customers, seed {options.seed}"
    catalog = {str(item): "" for item in np.unique(events.items.astype(str))}
    data = _Data(catalog, attributes)
    split = holdout_split(events, options.holdout)
    validation = holdout_split(split.train, options.holdout)
    if not split.test or not validation.test:
        raise InvalidInput("too little history per customer to hold anything out")
    grids = {kind: grid if attributes else {**grid, "attribute_weight": (0.0,)}
             for kind, grid in (("ease", options.ease_grid), ("als", options.als_grid))}
    trials = sum(int(np.prod([len(v) for v in g.values()])) for g in grids.values())
    with tqdm(total=trials, desc="tuning on validation", unit="fit") as progress:
        tuning = {kind: _tune(kind, grid, validation, data, options, progress) for kind, grid in grids.items()}
    seen = _items_by_user(split.train)
    results: dict[str, dict[str, Any]] = {}
    for name, kind in tqdm([("ours (EASE)", "ease"), ("implicit ALS", "als"), ("popularity", "popularity")],
                           desc="test split", unit="model"):
        params = tuning[kind]["chosen"] if kind in tuning else {}
        model, train_s = _fit(kind, params, split, data, options)
        rankings, latencies = _evaluate(model, split, seen)
        scores = score_rankings(rankings, split.test, len(catalog))
        results[name] = {**{k: round(v, 4) for k, v in scores.items()}, "train_seconds": round(train_s, 3),
                         "latency_ms": {f"p{q}": round(percentile([s * 1000 for s in latencies], q), 3)
                                        for q in (50, 95)},
                         "params": params}
    gain = results["ours (EASE)"]["ndcg@10"] / results["implicit ALS"]["ndcg@10"] - 1 \
        if results["implicit ALS"]["ndcg@10"] > 0 else None
    return {
        "config": {"source": source, "events": len(events), "customers": len(set(events.users)),
                   "items": len(catalog), "test_customers": len(split.test), "holdout": options.holdout,
                   "half_life_days": options.half_life_days, "seed": options.seed,
                   "device": model_device(options.device)},
        "tuning": tuning,
        "results": results,
        "ndcg@10_gain_vs_als": None if gain is None else round(gain, 4),
    }


def model_device(requested: str | None) -> str:
    from ecomai.device import choose_placement

    return str(choose_placement(requested).device)


_COLUMNS: tuple[Column, ...] = (
    ("NDCG@10", 9, lambda r: f"{r['ndcg@10']:.4f}"),
    ("Recall@20", 11, lambda r: f"{r['recall@20']:.4f}"),
    ("coverage", 10, lambda r: f"{r['coverage@10'] * 100:.1f}%"),
    ("train s", 9, lambda r: f"{r['train_seconds']:.2f}"),
    ("p50 ms", 8, lambda r: f"{r['latency_ms']['p50']:.2f}"),
    ("p95 ms", 8, lambda r: f"{r['latency_ms']['p95']:.2f}"),
)


def format_table(result: dict[str, Any]) -> str:
    """Plain-text table, one line per model, then the data and the gain over ALS."""
    lines = table_lines("model", 16, result["results"], _COLUMNS)
    c = result["config"]
    gain = result["ndcg@10_gain_vs_als"]
    lines.append(f"{c['source']}: {c['events']} events, {c['customers']} customers, {c['items']} items, "
                 f"{c['test_customers']} test customers (last {c['holdout']} new item(s) each), {c['device']}")
    if gain is not None:
        lines.append(f"NDCG@10 ours vs implicit ALS: {gain * 100:+.1f}%")
    return "\n".join(lines)
