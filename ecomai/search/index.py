"""Product indexes behind one small interface: BM25 alone, and hybrid BM25 + dense.

Both share the catalog columns (filters as numpy masks) and the relax-and-say rule:
when nothing matches, filters are relaxed one at a time (least important first) and
the result says which were dropped, so the bot can tell the shopper instead of
answering "nothing found". Both keep in step with the catalog through ``upsert`` and
``remove`` without a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

import numpy as np

from ecomai.errors import InvalidInput
from ecomai.search.columns import CatalogColumns, document_text
from ecomai.search.lexical import LexicalIndex
from ecomai.search.query import ProductQuery, Vocabulary
from ecomai.store.catalog import Product

# Relax the filter a shopper is least likely to insist on first.
RELAX_ORDER = ("color", "size", "brand", "price_min", "price_max", "category")
MAX_K = 100
MAX_OFFSET = 10_000
_RATING_TIE_BREAK = 0.01


@dataclass(frozen=True)
class SearchResult:
    """One page of ranked products.

    Attributes:
        products: this page, best first.
        relaxed: filters that had to be dropped to find anything, in the order dropped.
        total: how many products match (after relaxing), for "show more".
        query: the query that produced this page (relaxed filters removed), for the
            dialogue to keep (``query.to_slot()``) and refine.
    """

    products: tuple[Product, ...]
    relaxed: tuple[str, ...] = ()
    total: int = 0
    query: ProductQuery | None = None


class ProductIndex(Protocol):
    """What the shop needs from any product index."""

    @property
    def vocabulary(self) -> Vocabulary: ...

    def search(self, query: ProductQuery, k: int = 5, offset: int = 0) -> SearchResult: ...

    def upsert(self, products: Sequence[Product]) -> None: ...

    def remove(self, skus: Iterable[str]) -> None: ...


class _FilteredIndex:
    """Filters, relaxing, paging and catalog changes; subclasses rank the rows."""

    def __init__(self, products: Sequence[Product]) -> None:
        if not products:
            raise InvalidInput("cannot index an empty catalog")
        self.columns = CatalogColumns()
        self.columns.append(list(products))

    @property
    def vocabulary(self) -> Vocabulary:
        return self.columns.vocabulary

    def __len__(self) -> int:
        return self.columns.live_count

    def search(self, query: ProductQuery, k: int = 5, offset: int = 0) -> SearchResult:
        """Products ``offset .. offset + k`` for ``query``, relaxing filters if nothing matches.

        Raises:
            InvalidInput: ``k`` outside 1..100 or ``offset`` outside 0..10,000.
        """
        if not 1 <= k <= MAX_K or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInput(f"k must be within 1..{MAX_K} and offset within 0..{MAX_OFFSET}")
        relaxed: list[str] = []
        current = query
        while True:
            mask = self.columns.mask(current)
            rows, total = self._ranked(current, mask, offset + k) if mask.any() else (np.zeros(0, np.int64), 0)
            droppable = [f for f in RELAX_ORDER if getattr(current, f) is not None]
            if total or not droppable:
                page = tuple(self.columns.products[int(r)] for r in rows[offset : offset + k])
                return SearchResult(page, tuple(relaxed), total, current)
            relaxed.append(droppable[0])
            current = current.without(droppable[0])

    def upsert(self, products: Sequence[Product]) -> None:
        """Add new products and replace changed ones (matched by SKU)."""
        products = list({p.sku: p for p in products}.values())  # the last version of a SKU wins
        if not products:
            return
        self._retire_rows([self.columns.row_of[p.sku] for p in products if p.sku in self.columns.row_of])
        rows = self.columns.append(products)
        self._index_rows(rows, products)

    def remove(self, skus: Iterable[str]) -> None:
        """Stop offering ``skus`` (unknown SKUs are ignored)."""
        self._retire_rows(self.columns.remove(list(skus)))

    def _ranked(self, query: ProductQuery, mask: np.ndarray, depth: int) -> tuple[np.ndarray, int]:
        """Matching rows, best first (at least ``depth`` of them when there are that
        many), and how many rows match in all."""
        raise NotImplementedError

    def _index_rows(self, rows: np.ndarray, products: Sequence[Product]) -> None:
        raise NotImplementedError

    def _retire_rows(self, rows: Sequence[int]) -> None:
        raise NotImplementedError

    def _by_rating(self, mask: np.ndarray, depth: int) -> tuple[np.ndarray, int]:
        """Browsing without words ("jeans under 50"): the best-rated matches first."""
        return top_rows(np.where(mask, self.columns.rating, -np.inf), mask, depth), int(mask.sum())


class BM25ProductIndex(_FilteredIndex):
    """BM25 (bm25s) over name, brand, colour, category and description."""

    def __init__(self, products: Sequence[Product], progress: bool = False) -> None:
        super().__init__(products)
        self._lexical = LexicalIndex(range(len(self.columns)), [document_text(p) for p in self.columns.products],
                                     progress)

    def _ranked(self, query: ProductQuery, mask: np.ndarray, depth: int) -> tuple[np.ndarray, int]:
        if not query.text.strip():
            return self._by_rating(mask, depth)
        lexical = self._lexical.scores(query.text, len(self.columns))
        if lexical is None:
            # Words the catalog never saw: with filters, browse them; without, say so
            # rather than list bestsellers.
            return self._by_rating(mask, depth) if query.has_filters else (np.zeros(0, np.int64), 0)
        matches = mask & (lexical > 0)
        score = np.where(matches, lexical + _RATING_TIE_BREAK * self.columns.rating, -np.inf)
        return top_rows(score, matches, depth), int(matches.sum())

    def _index_rows(self, rows: np.ndarray, products: Sequence[Product]) -> None:
        self._lexical.add(rows, [document_text(p) for p in products])

    def _retire_rows(self, rows: Sequence[int]) -> None:
        self._lexical.retire(rows)


def top_rows(score: np.ndarray, candidates: np.ndarray, depth: int) -> np.ndarray:
    """Rows of ``candidates`` (bool mask) with the highest ``score``, best first, ties in
    row order (so pages never overlap): the top ``depth`` by partial sort (O(n)), then
    only those are sorted."""
    count = int(candidates.sum())
    if count == 0:
        return np.zeros(0, np.int64)
    depth = min(depth, count)
    score = np.where(candidates, score, -np.inf)
    if depth < count:
        threshold = score[np.argpartition(-score, depth - 1)[depth - 1]]
        above = np.flatnonzero(score > threshold)
        part = np.concatenate([above, np.flatnonzero(score == threshold)[: depth - len(above)]])
    else:
        part = np.flatnonzero(candidates)
    return part[np.lexsort((part, -score[part]))].astype(np.int64)

