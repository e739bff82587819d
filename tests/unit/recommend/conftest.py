"""A tiny shop with two kinds of shopper, small enough to reason about exactly.

Shoe shoppers U1-U5 touch S1, S2 and S3; U6 touched only S1 and S2, so a collaborative
filter must offer U6 S3. Bag shoppers U7-U14 touch B1, B2 and B3, which makes bags the
most popular products overall, so popularity alone would offer U6 bags. S4 and H1 are in
the catalog but nobody touched them (new products).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from ecomai.recommend.als import AlsOptions, AlsScorer
from ecomai.recommend.ease import EaseOptions, EaseScorer
from ecomai.recommend.model import CFRecommender, Scorer
from ecomai.recommend.popularity import PopularityScorer
from ecomai.store import make_engine
from ecomai.store.catalog import Interaction
from ecomai.store.schema import customers, interactions, metadata, products

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
CATALOG = {"S1": "shoes", "S2": "shoes", "S3": "shoes", "S4": "shoes",
           "B1": "bags", "B2": "bags", "B3": "bags", "H1": "hats"}
SHOE_FANS = [f"U{i}" for i in range(1, 6)]
BAG_FANS = [f"U{i}" for i in range(7, 15)]


def tiny_history() -> list[Interaction]:
    rows: list[tuple[str, str, str]] = []
    for user in SHOE_FANS:
        rows += [(user, "S1", "view"), (user, "S2", "cart"), (user, "S3", "purchase")]
    rows += [("U6", "S1", "view"), ("U6", "S2", "purchase")]
    for user in BAG_FANS:
        rows += [(user, "B1", "view"), (user, "B2", "purchase"), (user, "B3", "cart")]
    return [Interaction(u, sku, event, START + timedelta(hours=i)) for i, (u, sku, event) in enumerate(rows)]


SCORERS: dict[str, Callable[[], Scorer]] = {
    "ease": lambda: EaseScorer(EaseOptions(l2=1.0, device="cpu")),
    "als": lambda: AlsScorer(AlsOptions(factors=2, regularization=1.0, iterations=30, seed=3)),
    "popularity": PopularityScorer,
}
PERSONAL = ("ease", "als")  # the scorers that learn from who bought what together


@pytest.fixture(params=list(SCORERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fitted(kind: str) -> CFRecommender:
    return CFRecommender(SCORERS[kind]()).fit(tiny_history(), CATALOG)


@pytest.fixture
def shop_engine(tmp_path: Path) -> Iterator[Engine]:
    """A real SQLite store holding the tiny catalog and history."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    metadata.create_all(engine)
    history = tiny_history()
    with engine.begin() as conn:
        conn.execute(insert(customers), [{"customer_id": u, "name": u, "email": f"{u.lower()}@example.com"}
                                         for u in sorted({e.customer_id for e in history})])
        conn.execute(insert(products), [
            {"sku": sku, "name": sku, "description": "", "category": category, "brand": "Acme", "color": "black",
             "sizes": "", "price": 10.0, "stock": 0 if sku == "S3" else 5, "rating": 4.0, "url": f"/p/{sku}"}
            for sku, category in CATALOG.items()])
        conn.execute(insert(interactions), [{"customer_id": e.customer_id, "sku": e.sku, "event": e.event,
                                             "occurred_at": e.at.replace(tzinfo=None)} for e in history])
    yield engine
    engine.dispose()
