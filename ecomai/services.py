"""The shop's services for one process: database, product index and recommender,
built once and shared by every request (the action server holds one of these)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.engine import Engine

from ecomai.config import Settings
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.popularity import PopularityRecommender
from ecomai.search.build import shop_product_index
from ecomai.search.index import ProductIndex, SearchResult
from ecomai.search.query import ProductQuery, parse_product_query
from ecomai.search.refine import refine_query
from ecomai.store import catalog
from ecomai.store.catalog import Product
from ecomai.store.db import make_engine


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
    def recommender(self) -> PopularityRecommender:
        item_category = {sku: p.category for sku, p in self._catalog.items()}
        return PopularityRecommender(item_category).fit(catalog.load_interactions(self.engine))

    def search(self, text: str, entities: dict[str, str], k: int = 5, offset: int = 0,
               previous: dict | None = None) -> SearchResult:
        """Search the catalog for a shopper's words plus NLU entity hints.

        Args:
            previous: the last search's ``result.query.to_slot()``; when given, ``text``
                refines it ("cheaper", "in blue", "show more").
            offset: first match to return ("show more": the last offset + k, while < total).

        Raises:
            InvalidInput: a tampered ``previous`` slot, or k/offset out of range.
        """
        index = self.product_index
        if previous is None:
            query = parse_product_query(text, index.vocabulary, entities)
        else:
            last = ProductQuery.from_slot(previous)
            shown = [p.price for p in index.search(last, k).products]  # what "cheaper" is cheaper than
            query = refine_query(last, text, index.vocabulary, shown, entities)
        return index.search(query, k, offset)

    def recommend_for(self, customer_id: str | None, *, category_words: str = "", k: int = 5) -> list[Product]:
        """Top products for a shopper, never ones they bought or that are out of stock."""
        category = None
        if category_words:
            category = parse_product_query(category_words, self.product_index.vocabulary).category
        bought = catalog.purchased_skus(self.engine, customer_id) if customer_id else set()
        sold_out = {sku for sku, p in self._catalog.items() if p.stock <= 0}
        request = RecommendRequest(customer_id, k=k, category=category, exclude=bought | sold_out)
        return [self._catalog[sku] for sku in self.recommender.recommend(request)]
