"""Item side information (category, brand) as extra columns of the interaction matrix.

Why: in a shop, what a customer likes is mostly *which kinds* of product (categories,
brands), and a purely item-to-item model has to learn that separately for every pair of
products from few co-occurrences. Appending one column per attribute value, holding the
customer's total weight on products with that value, lets a linear item model learn
"likes brand X -> this product" once per attribute (Ning & Karypis 2012, SSLIM; Jeunen
et al. 2020, closed-form EASE with side information). On the demo shop it lifted EASE's
validation NDCG@10 by about 8% and left ALS level (`ecomai bench recommend`). Every
scorer gets the same augmented matrix; only the item columns are ever ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class ItemAttributes:
    """Attributes:
        names: attribute values, e.g. "category=shoes", "brand=Acme" (sorted).
        matrix: CSR float32 (items x names), 1 where the item has the value.
    """

    names: tuple[str, ...]
    matrix: sparse.csr_matrix


def build_attributes(items: Sequence[str], item_attributes: Mapping[str, Collection[str]]) -> ItemAttributes:
    """The item x attribute indicator matrix, for ``items`` in their column order;
    items without attributes get an empty row."""
    names = tuple(sorted({value for sku in items for value in item_attributes.get(sku, ())}))
    column = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for row, sku in enumerate(items):
        for value in set(item_attributes.get(sku, ())):
            rows.append(row)
            cols.append(column[value])
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(items), len(names)))
    return ItemAttributes(names, matrix)


def augment(matrix: sparse.spmatrix, attributes: ItemAttributes | None, weight: float) -> sparse.csr_matrix:
    """``[matrix, weight * matrix @ attributes]``: each customer's weight per attribute value
    appended after the item columns, shape (customers, items + len(names))."""
    base = sparse.csr_matrix(matrix, dtype=np.float32)
    if attributes is None or not attributes.names or weight == 0:
        return base
    side = (base @ attributes.matrix) * np.float32(weight)
    return sparse.hstack([base, side], format="csr", dtype=np.float32)


def augment_rows(rows: np.ndarray, attributes: ItemAttributes | None, weight: float) -> np.ndarray:
    """``augment`` for a few dense histories (one request), shape (n, items + len(names)):
    dense, because a sparse product per request costs more than the scoring itself."""
    if attributes is None or not attributes.names or weight == 0:
        return rows
    return np.hstack([rows, (attributes.matrix.T @ rows.T).T * np.float32(weight)]).astype(np.float32)
