"""The product index: lexical BM25 ranking (bm25s) under structured filters.

Filters are numpy masks over the whole catalog, so one query costs one BM25 scoring
pass plus a few vectorised comparisons. When nothing matches, filters are relaxed
one at a time (least important first) and the result says which were dropped, so
the bot can tell the shopper instead of answering "nothing found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import bm25s
import numpy as np

from ecomai.search.query import ProductQuery, Vocabulary
from ecomai.store.catalog import Product

# Relax the filter a shopper is least likely to insist on first.
RELAX_ORDER = ("color", "brand", "price_min", "price_max", "category")


@dataclass(frozen=True)
class SearchResult:
    """Ranked products, and the filters that had to be dropped to find any."""

    products: tuple[Product, ...]
    relaxed: tuple[str, ...] = ()


class ProductIndex(Protocol):
    """What the actions need from any product index."""

    vocabulary: Vocabulary

    def search(self, query: ProductQuery, k: int = 5) -> SearchResult: ...


class BM25ProductIndex:
    """In-memory BM25 over name, brand, colour, category and description."""

    def __init__(self, products: Sequence[Product]) -> None:
        if not products:
            raise ValueError("cannot index an empty catalog")
        self._products = list(products)
        self.vocabulary = Vocabulary.from_catalog(
            {p.category for p in products}, {p.color for p in products}, {p.brand for p in products}
        )
        corpus = [_document(p) for p in products]
        self._bm25 = bm25s.BM25()
        self._bm25.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        self._known_tokens = set(self._bm25.vocab_dict)
        self._category = np.array([p.category for p in products])
        self._color = np.array([p.color for p in products])
        self._brand = np.array([p.brand for p in products])
        self._price = np.array([p.price for p in products], dtype=np.float64)
        self._in_stock = np.array([p.stock > 0 for p in products])
        self._rating = np.array([p.rating for p in products], dtype=np.float64)

    def search(self, query: ProductQuery, k: int = 5) -> SearchResult:
        """Top ``k`` products for ``query``, relaxing filters if nothing matches."""
        relaxed: list[str] = []
        current = query
        while True:
            hits = self._ranked(current, k)
            droppable = [f for f in RELAX_ORDER if getattr(current, f) is not None]
            if hits or not droppable:
                return SearchResult(tuple(hits), tuple(relaxed))
            relaxed.append(droppable[0])
            current = current.without(droppable[0])

    def _ranked(self, query: ProductQuery, k: int) -> list[Product]:
        mask = self._mask(query)
        if not mask.any():
            return []
        words = bm25s.tokenize(query.text, stopwords="en", return_ids=False, show_progress=False)[0]
        tokens = [t for t in words if t in self._known_tokens]
        if words and not tokens and not query.has_filters:
            return []  # words the catalog has never seen: say so rather than list bestsellers
        lexical = self._bm25.get_scores(tokens) if tokens else np.zeros(len(self._products))
        # Rating breaks ties (and ranks alone when the words were all filters).
        score = np.where(mask, lexical + 0.01 * self._rating, -np.inf)
        top = np.argsort(-score, kind="stable")[: min(k, int(mask.sum()))]
        return [self._products[i] for i in top]

    def _mask(self, query: ProductQuery) -> np.ndarray:
        mask = np.ones(len(self._products), dtype=bool)
        if query.category is not None:
            mask &= self._category == query.category
        if query.color is not None:
            mask &= self._color == query.color
        if query.brand is not None:
            mask &= self._brand == query.brand
        if query.price_min is not None:
            mask &= self._price >= query.price_min
        if query.price_max is not None:
            mask &= self._price <= query.price_max
        if query.in_stock_only:
            mask &= self._in_stock
        return mask


def _document(product: Product) -> str:
    return " ".join((product.name, product.brand, product.color, product.category, product.description))
