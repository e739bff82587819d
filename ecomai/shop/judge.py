"""Graded relevance for the judged search queries, by written rules over catalog attributes.

A person wrote down what each query means (``data/shop/search_meanings.yml``: product
types, colour, brand, price, size, needs) from the query alone; these rules turn that
meaning into grades for every product, so the judgments never depend on what a search
engine returns. The rules (also in data/shop/README.md):

- Out of stock: 0 (a shopper cannot buy it).
- Product type: "exact" when the product's type (the noun of its name: "Running
  Shoes") is one the shopper meant, or the query names a whole category and the
  product is in it, or the query names no type at all ("anything from Pinegrove");
  "near" when it is another type of the same category; otherwise irrelevant.
- Misses: one for each constraint the query states that the product fails: colour,
  brand, price (min / max / "cheap" = the cheapest third of those types), size, and
  needs (none of the ``concepts`` words occurs in its description).
- Grade: exact type with 0 / 1 / 2 misses -> 3 / 2 / 1; near type with no miss -> 1;
  anything else 0 (not written to the qrels).

``python -m ecomai.shop.judge`` writes search_queries.csv and search_qrels.csv.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import yaml

from ecomai.errors import InvalidInput
from ecomai.store.catalog import Product

_KEYS = {"q", "types", "cat", "color", "brand", "max", "min", "cheap", "size", "concepts"}
CHEAP_QUANTILE = 1 / 3


@dataclass(frozen=True)
class Meaning:
    """What one query asks for; empty fields ask for nothing."""

    query: str
    types: frozenset[str] = frozenset()
    category: str | None = None
    colors: frozenset[str] = frozenset()
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    cheap: bool = False
    size: str | None = None
    concepts: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Meaning":
        """Raises InvalidInput on unknown keys or a missing query."""
        unknown = set(raw) - _KEYS
        if unknown or not isinstance(raw.get("q"), str):
            raise InvalidInput(f"bad meaning {dict(raw)!r}: unknown keys {sorted(unknown)} or no q")
        color = raw.get("color")
        colors = frozenset([color] if isinstance(color, str) else color or [])
        return cls(query=raw["q"], types=frozenset(raw.get("types") or ()), category=raw.get("cat"),
                   colors=colors, brand=raw.get("brand"), price_min=raw.get("min"), price_max=raw.get("max"),
                   cheap=bool(raw.get("cheap")), size=raw.get("size"),
                   concepts=tuple(c.lower() for c in raw.get("concepts") or ()))


def product_type(product: Product) -> str:
    """The noun of a demo product's name ("Summit Black Loafers" -> "Loafers")."""
    return " ".join(product.name.split()[2:])


def grade(meaning: Meaning, product: Product, cheap_limit: float | None = None,
          near_categories: frozenset[str] = frozenset()) -> int:
    """0-3 relevance of ``product`` to ``meaning`` (rules in the module docstring).

    Args:
        cheap_limit: highest price that counts as "cheap" for this meaning.
        near_categories: categories of the meant types (another type there is "near").
    """
    if product.stock <= 0:
        return 0
    level = _type_level(meaning, product, near_categories)
    if level == 0:
        return 0
    misses = sum((
        bool(meaning.colors) and product.color not in meaning.colors,
        meaning.brand is not None and product.brand != meaning.brand,
        not _price_ok(meaning, product.price, cheap_limit),
        meaning.size is not None and meaning.size not in product.sizes,
        bool(meaning.concepts) and not any(c in product.description.lower() for c in meaning.concepts),
    ))
    if level == 2:
        return max(0, 3 - misses)
    return 1 if misses == 0 else 0


def _type_level(meaning: Meaning, product: Product, near_categories: frozenset[str] = frozenset()) -> int:
    if meaning.types:
        if product_type(product) in meaning.types:
            return 2
        return 1 if product.category in near_categories else 0
    if meaning.category is not None:
        return 2 if product.category == meaning.category else 0
    return 2


def _price_ok(meaning: Meaning, price: float, cheap_limit: float | None) -> bool:
    if meaning.price_min is not None and price < meaning.price_min:
        return False
    if meaning.price_max is not None and price > meaning.price_max:
        return False
    return cheap_limit is None or price <= cheap_limit


def judge(meanings: Sequence[Meaning], products: Sequence[Product]) -> list[tuple[str, str, int]]:
    """(query_id, sku, grade) for every grade above 0; query ids are Q001, Q002, ..."""
    rows = []
    for number, meaning in enumerate(meanings, start=1):
        near = frozenset(p.category for p in products if product_type(p) in meaning.types)
        limit = _cheap_limit(meaning, products) if meaning.cheap else None
        for product in products:
            value = grade(meaning, product, limit, near)
            if value:
                rows.append((f"Q{number:03d}", product.sku, value))
    return rows


def _cheap_limit(meaning: Meaning, products: Iterable[Product]) -> float:
    prices = [p.price for p in products if _type_level(meaning, p) == 2]
    return float(np.quantile(prices, CHEAP_QUANTILE))


def read_meanings(path: Path) -> list[Meaning]:
    data = yaml.safe_load(path.read_text())
    return [Meaning.from_dict(raw) for raw in data["queries"]]


def write_judgments(meanings_file: Path, products_csv: Path, out_dir: Path) -> dict[str, int]:
    """Write search_queries.csv and search_qrels.csv next to the catalog."""
    from ecomai.bench.search_data import read_products

    meanings = read_meanings(meanings_file)
    qrels = judge(meanings, read_products(products_csv))
    with (out_dir / "search_queries.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("query_id", "query"))
        writer.writerows((f"Q{n:03d}", m.query) for n, m in enumerate(meanings, start=1))
    with (out_dir / "search_qrels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("query_id", "sku", "grade"))
        writer.writerows(qrels)
    return {"queries": len(meanings), "judged_pairs": len(qrels),
            "queries_without_relevant": len(meanings) - len({q for q, _, _ in qrels})}


if __name__ == "__main__":
    shop = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "data" / "shop"
    print(write_judgments(shop / "search_meanings.yml", shop / "products.csv", shop))
