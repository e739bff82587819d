"""The catalog as columns: one row per product version, filters as vectorised masks.

Rows are append-only: updating a product appends its new version and retires the old
row, so row numbers stay valid for the lexical and dense indexes built beside these
columns (no full rebuild on a change). Categorical columns hold small integer codes,
so a filter costs one integer comparison over the catalog (~0.1 ms at 100,000 rows).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ecomai.search.query import ProductQuery, Vocabulary
from ecomai.store.catalog import Product


class _Codes:
    """Catalog value <-> small integer code, grown as new values appear."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def encode(self, values: Iterable[str]) -> np.ndarray:
        return np.array([self.codes.setdefault(v, len(self.codes)) for v in values], dtype=np.int32)

    def code(self, value: str) -> int:
        return self.codes.get(value, -1)  # a value the catalog never had matches no row


class CatalogColumns:
    """Products and their filterable attributes, row-aligned with the search indexes."""

    def __init__(self) -> None:
        self.products: list[Product] = []
        self.row_of: dict[str, int] = {}  # sku -> its live row
        self._kinds = {name: _Codes() for name in ("category", "color", "brand")}
        self._cat = {name: np.zeros(0, dtype=np.int32) for name in self._kinds}
        self._sizes: dict[str, np.ndarray] = {}
        self.price = np.zeros(0, dtype=np.float64)
        self.rating = np.zeros(0, dtype=np.float64)
        self.in_stock = np.zeros(0, dtype=bool)
        self.alive = np.zeros(0, dtype=bool)
        self._words: set[str] = set()
        self.vocabulary = Vocabulary.from_catalog((), (), ())

    def __len__(self) -> int:
        return len(self.products)

    @property
    def live_count(self) -> int:
        return len(self.row_of)

    def append(self, products: Sequence[Product]) -> np.ndarray:
        """Add new versions of ``products`` (retiring any older row of the same SKU);
        returns their row numbers."""
        self.retire(p.sku for p in products)
        start = len(self.products)
        rows = np.arange(start, start + len(products))
        self.products.extend(products)
        self.row_of.update({p.sku: int(r) for p, r in zip(products, rows)})
        for name, codes in self._kinds.items():
            self._cat[name] = np.concatenate([self._cat[name], codes.encode(getattr(p, name) for p in products)])
        for size in {s for p in products for s in p.sizes}:
            self._sizes.setdefault(size, np.zeros(start, dtype=bool))
        for size, column in self._sizes.items():
            self._sizes[size] = np.concatenate([column, [size in p.sizes for p in products]])
        self.price = np.concatenate([self.price, [p.price for p in products]])
        self.rating = np.concatenate([self.rating, [p.rating for p in products]])
        self.in_stock = np.concatenate([self.in_stock, [p.stock > 0 for p in products]])
        self.alive = np.concatenate([self.alive, np.ones(len(products), dtype=bool)])
        self._words.update(w for p in products for w in document_text(p).lower().split())
        self._refresh_vocabulary()
        return rows

    def remove(self, skus: Iterable[str]) -> list[int]:
        """Retire ``skus`` (unknown ones are ignored) and forget brands, colours... no
        live product has any more; returns the retired rows."""
        rows = self.retire(skus)
        self._refresh_vocabulary()
        return rows

    def retire(self, skus: Iterable[str]) -> list[int]:
        """Stop matching the live rows of ``skus`` (unknown SKUs are ignored); returns the rows."""
        rows = [self.row_of.pop(sku) for sku in skus if sku in self.row_of]
        self.alive[rows] = False
        return rows

    def mask(self, query: ProductQuery) -> np.ndarray:
        """Rows that are live and pass every filter of ``query`` (bool [rows])."""
        mask = self.alive.copy()
        if query.in_stock_only:
            mask &= self.in_stock
        for name, codes in self._kinds.items():
            value = getattr(query, name)
            if value is not None:
                mask &= self._cat[name] == codes.code(value)
        if query.size is not None:
            mask &= self._sizes.get(query.size, np.zeros(len(mask), dtype=bool))
        if query.price_min is not None:
            mask &= self.price >= query.price_min
        if query.price_max is not None:
            mask &= self.price <= query.price_max
        return mask

    def _refresh_vocabulary(self) -> None:
        live = self.alive
        values = {name: [v for v, c in codes.codes.items() if live[self._cat[name] == c].any()]
                  for name, codes in self._kinds.items()}
        sizes = [s for s, column in self._sizes.items() if (column & live).any()]
        live_products = (self.products[r] for r in self.row_of.values())
        self.vocabulary = Vocabulary.from_catalog(values["category"], values["color"], values["brand"], sizes,
                                                  texts=(" ".join(self._words),),
                                                  product_types=product_types(live_products))


def product_types(products: Iterable[Product], min_products: int = 3) -> dict[str, str]:
    """Last words of product names ("Sneakers", "Parka", "Duvet Cover" -> "cover") that
    belong to one category only, mapped to it: the words shoppers name products by.
    Words shared by categories (or too rare to trust) are left to ranking."""
    seen: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for product in products:
        words = product.name.lower().split()
        if len(words) > 1:
            seen.setdefault(words[-1], set()).add(product.category)
            counts[words[-1]] = counts.get(words[-1], 0) + 1
    return {word: next(iter(cats)) for word, cats in seen.items() if len(cats) == 1 and counts[word] >= min_products}


def document_text(product: Product) -> str:
    """What the lexical index reads of a product: every word a shopper might search by."""
    return " ".join((product.name, product.brand, product.color, product.category, product.description))
