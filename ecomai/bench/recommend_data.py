"""Input of `ecomai bench recommend`: interactions and item attributes from CSV files,
or a synthetic shop from our demo generator.

Interactions: a CSV with a header, either ``user,item[,weight][,timestamp]`` (weight
defaults to 1; timestamp is seconds since the epoch or ISO 8601) or our shop's own
``customer_id,sku,event,days_ago`` layout (data/shop/interactions.csv: weights per event
type, time from days_ago), recognised by its header.

Item attributes (optional): a CSV with an ``item`` or ``sku`` column and the attribute
columns named in ``columns`` (our data/shop/products.csv has ``category`` and ``brand``).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ecomai.errors import InvalidInput
from ecomai.recommend.base import DEFAULT_EVENT_WEIGHTS
from ecomai.recommend.matrix import Events

ItemAttributes = dict[str, list[str]]


def read_interactions_csv(path: Path) -> Events:
    """Read either supported layout (see the module docstring).

    Raises:
        InvalidInput: unknown header, or a row with a bad number or date.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or ())
        if {"customer_id", "sku", "event", "days_ago"} <= header:
            parse: Callable[[dict[str, str]], tuple[str, str, float, float]] = _shop_row
        elif {"user", "item"} <= header:
            parse = _generic_row
        else:
            raise InvalidInput(f"{path}: header must have user,item[,weight,timestamp] or "
                               f"customer_id,sku,event,days_ago; got {sorted(header)}")
        try:
            rows = [parse(row) for row in reader]
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{path}, line {reader.line_num}: {exc}") from None
    return _events(rows)


def _shop_row(row: dict[str, str]) -> tuple[str, str, float, float]:
    return row["customer_id"], row["sku"], DEFAULT_EVENT_WEIGHTS.get(row["event"], 0.0), -86_400.0 * float(
        row["days_ago"])


def _generic_row(row: dict[str, str]) -> tuple[str, str, float, float]:
    weight = float(row["weight"]) if row.get("weight") else 1.0
    stamp = row.get("timestamp") or ""
    try:
        when = float(stamp) if stamp else 0.0
    except ValueError:
        when = datetime.fromisoformat(stamp).timestamp()
    return row["user"], row["item"], weight, when


def _events(rows: list[tuple[str, str, float, float]]) -> Events:
    users, items, weights, times = zip(*rows) if rows else ((), (), (), ())
    return Events(np.array(users, dtype=object), np.array(items, dtype=object),
                  np.array(weights, dtype=np.float64), np.array(times, dtype=np.float64))


def read_item_attributes(path: Path, columns: Sequence[str]) -> ItemAttributes:
    """item -> ["category=shoes", "brand=Acme", ...] for the named columns; empty values skipped.

    Raises:
        InvalidInput: no item/sku column, or a named column missing.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or ())
        key = "item" if "item" in header else "sku" if "sku" in header else None
        missing = [c for c in columns if c not in header]
        if key is None or missing:
            raise InvalidInput(f"{path}: needs an item (or sku) column and {list(columns)}; got {header}")
        return {row[key]: [f"{c}={row[c]}" for c in columns if row[c]] for row in reader}


def synthetic_shop(customers: int, seed: int) -> tuple[Events, ItemAttributes]:
    """A demo-style shop with ``customers`` customers (orders scale along; 540 products
    or more), with its products' category and brand."""
    from ecomai.shop.generate import ShopSize, build_demo_shop

    size = ShopSize(customers=customers, orders=3 * customers, products_per_category=max(54, customers // 20))
    shop = build_demo_shop(seed=seed, size=size)
    events = _events([_shop_row({k: str(v) for k, v in r.items()}) for r in shop.tables["interactions"]])
    attributes = {str(p["sku"]): [f"category={p['category']}", f"brand={p['brand']}"] for p in shop.tables["products"]}
    return events, attributes
