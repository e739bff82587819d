"""Reading the search benchmark's files: a product CSV (the columns of
data/shop/products.csv), queries (query_id,query) and graded qrels (query_id,sku,grade)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping

from ecomai.errors import InvalidInput
from ecomai.store.catalog import Product

PRODUCT_COLUMNS = ("sku", "name", "description", "category", "brand", "color", "sizes", "price", "stock", "rating")


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise InvalidInput(f"{path} lacks the columns {sorted(missing)}")
        return list(reader)


def product_from_row(row: Mapping[str, str]) -> Product:
    """One product from a CSV row (sizes separated by ``|``)."""
    return Product(sku=row["sku"], name=row["name"], description=row["description"], category=row["category"],
                   brand=row["brand"], color=row["color"], sizes=tuple(s for s in row["sizes"].split("|") if s),
                   price=float(row["price"]), stock=int(row["stock"]), rating=float(row["rating"]),
                   url=row.get("url") or f"/products/{row['sku']}")


def read_products(path: Path) -> list[Product]:
    """Raises InvalidInput: missing file or columns, or a number that does not parse."""
    try:
        return [product_from_row(row) for row in _rows(path, PRODUCT_COLUMNS)]
    except ValueError as error:
        raise InvalidInput(f"{path}: {error}") from None


def read_queries(path: Path) -> dict[str, str]:
    """query_id -> query text, in file order."""
    return {row["query_id"]: row["query"] for row in _rows(path, ("query_id", "query"))}


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query_id -> {sku: grade}; grades are integers 0-3."""
    qrels: dict[str, dict[str, int]] = {}
    for row in _rows(path, ("query_id", "sku", "grade")):
        try:
            value = int(row["grade"])
        except ValueError:
            raise InvalidInput(f"{path}: grade {row['grade']!r} is not an integer") from None
        if not 0 <= value <= 3:
            raise InvalidInput(f"{path}: grade {value} is outside 0-3")
        qrels.setdefault(row["query_id"], {})[row["sku"]] = value
    return qrels
