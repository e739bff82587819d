"""The shop's services for one process: database, product index and recommender,
built once and shared by every request (the action server holds one of these)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from sqlalchemy.engine import Engine

from ecomai.config import Settings
from ecomai.errors import ModelFileError, StoreUnavailable
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.live import LiveRecommender
from ecomai.recommend.model import CFRecommender
from ecomai.recommend.popularity import PopularityScorer
from ecomai.recommend.train import model_path
from ecomai.search.build import shop_product_index
from ecomai.search.index import ProductIndex, SearchResult
from ecomai.search.query import ProductQuery, parse_product_query
from ecomai.search.refine import refine_query
from ecomai.store import catalog
from ecomai.store.catalog import Product
from ecomai.store.db import make_engine

logger = logging.getLogger(__name__)


@dataclass
class ShopServices:
    """Shared state, cheap to create; the costly parts are built on first use
    (``cached_property`` locks on Python 3.10, so concurrent first calls build once)."""

    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def _catalog(self) -> dict[str, Product]:
        return {p.sku: p for p in catalog.load_products(self.engine)}

    @cached_property
    def product_index(self) -> ProductIndex:
        """Hybrid search from ``settings.search_index_dir`` (built there when missing or stale)."""
        return shop_product_index(self.settings, list(self._catalog.values()))

    @cached_property
    def recommender(self) -> LiveRecommender:
        """The trained model in ``settings.recommender_dir``, reloaded when a retrain
        replaces it; popularity from the store while there is none."""
        item_category = {sku: p.category for sku, p in self._catalog.items()}

        def popularity() -> CFRecommender:
            return CFRecommender(PopularityScorer()).fit(catalog.load_interactions(self.engine), item_category)

        return LiveRecommender(model_path(self.settings.recommender_dir), popularity, item_category)

    def search(self, text: str, entities: dict[str, str], k: int = 5, offset: int = 0,
               previous: dict | None = None, previous_offset: int = 0) -> SearchResult:
        """Search the catalog for a shopper's words plus NLU entity hints.

        Args:
            previous: the last search's ``result.query.to_slot()``; when given, ``text``
                refines it ("cheaper", "in blue").
            previous_offset: where the page of ``previous`` that the shopper saw starts:
                "cheaper" means cheaper than the products on that page.
            offset: first match to return.

        Raises:
            InvalidInput: a tampered ``previous`` slot, or k/offset out of range.
        """
        index = self.product_index
        if previous is None:
            query = parse_product_query(text, index.vocabulary, entities)
        else:
            last = ProductQuery.from_slot(previous)
            shown = [p.price for p in index.search(last, k, previous_offset).products]
            query = refine_query(last, text, index.vocabulary, shown, entities)
        return index.search(query, k, offset)

    def next_page(self, previous: dict, k: int, offset: int) -> SearchResult:
        """The last search (its ``to_slot()`` dict) again from ``offset``, for "show more":
        nothing to parse or refine, so one search.

        Raises:
            InvalidInput: a tampered ``previous`` slot, or k/offset out of range.
        """
        return self.product_index.search(ProductQuery.from_slot(previous), k, offset)

    def recommend_for(self, customer_id: str | None, *, category_words: str = "", context_skus: Sequence[str] = (),
                      k: int = 5) -> list[Product]:
        """Top products for a shopper, never ones they bought or that are out of stock.

        Args:
            category_words: the shopper's words; a category named in them restricts the answer.
            context_skus: products just shown or just ordered: the answer goes with them
                ("in context") and never repeats them.
        """
        category = None
        if category_words:
            category = parse_product_query(category_words, self.product_index.vocabulary).category
        bought = catalog.purchased_skus(self.engine, customer_id) if customer_id else set()
        request = RecommendRequest(customer_id, k=k, category=category, exclude=bought | self._sold_out(),
                                   context=tuple(context_skus))
        return [self._catalog[sku] for sku in self.recommender.current().recommend(request)]

    def also_bought(self, sku: str, k: int = 5) -> list[Product]:
        """'Customers who bought this also bought': in-stock products that go with ``sku``
        (popular in its category when nobody has bought it yet)."""
        skus = self.recommender.current().similar(sku, k=k, exclude=self._sold_out())
        return [self._catalog[s] for s in skus]

    def warm_up(self) -> bool:
        """Build now what the first shoppers would otherwise wait for: the catalog, the
        product index (embedded and saved when missing or stale: ~9 s for the demo shop)
        with its ONNX encoder, and the recommender. Returns False, with a warning, when
        that fails (a database not up yet, or anything else): the server still starts, and
        the first request builds them or apologises, as without a warm-up."""
        try:
            self.search("warm up", {})
            self.recommend_for(None)
        except (StoreUnavailable, ModelFileError) as error:
            logger.warning("warm-up failed, the first request will build the services: %s", error)
            return False
        except Exception:
            logger.exception("warm-up failed, the first request will build the services")
            return False
        return True

    def _sold_out(self) -> set[str]:
        return {sku for sku, p in self._catalog.items() if p.stock <= 0}
