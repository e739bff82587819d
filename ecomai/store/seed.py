"""Load the generated demo shop (``data/shop``) into the database.

The files store day offsets; here they become dates relative to ``today``, so a demo
seeded on any day shows an order "delivered 5 days ago". Seeding is idempotent: a
database that already has products is left alone unless ``reset`` is asked for.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

import yaml
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from ecomai.errors import InvalidInput
from ecomai.store.db import create_schema, store_errors
from ecomai.store.schema import (SHOP_TABLES, customers, interactions, order_items, orders, policies, products,
                                 shipments, shop_settings)

Record = dict[str, object]
_CHUNK = 2000


def _days_ago(today: date, raw: str) -> date | None:
    return None if raw == "" else today - timedelta(days=int(raw))


def _product(row: dict[str, str], _today: date) -> Record:
    return {**row, "price": float(row["price"]), "stock": int(row["stock"]), "rating": float(row["rating"])}


def _customer(row: dict[str, str], _today: date) -> Record:
    return {**row, "email": row["email"].strip().lower()}


def _order(row: dict[str, str], today: date) -> Record:
    return {"order_number": row["order_number"], "customer_id": row["customer_id"], "status": row["status"],
            "placed_on": _days_ago(today, row["placed_days_ago"]), "total": float(row["total"])}


def _order_item(row: dict[str, str], _today: date) -> Record:
    return {**row, "quantity": int(row["quantity"]), "unit_price": float(row["unit_price"])}


def _shipment(row: dict[str, str], today: date) -> Record:
    eta = row["eta_days_from_now"]
    return {"order_number": row["order_number"], "carrier": row["carrier"],
            "tracking_number": row["tracking_number"], "tracking_url": row["tracking_url"],
            "shipped_on": _days_ago(today, row["shipped_days_ago"]),
            "eta": None if eta == "" else today + timedelta(days=int(eta)),
            "delivered_on": _days_ago(today, row["delivered_days_ago"])}


def _interaction(row: dict[str, str], today: date) -> Record:
    day = today - timedelta(days=int(row["days_ago"]))
    return {"customer_id": row["customer_id"], "sku": row["sku"], "event": row["event"],
            "occurred_at": datetime.combine(day, time(12, 0))}


# Parents before children, so foreign keys hold while loading.
_CSV_LOADERS: tuple[tuple[Table, str, Callable[[dict[str, str], date], Record]], ...] = (
    (products, "products.csv", _product),
    (customers, "customers.csv", _customer),
    (orders, "orders.csv", _order),
    (order_items, "order_items.csv", _order_item),
    (shipments, "shipments.csv", _shipment),
    (interactions, "interactions.csv", _interaction),
)


def _chunks(records: Sequence[Record]) -> Iterator[Sequence[Record]]:
    for start in range(0, len(records), _CHUNK):
        yield records[start:start + _CHUNK]


def _load_csv(conn: Connection, table: Table, path: Path, convert: Callable[[dict[str, str], date], Record],
              today: date) -> int:
    if not path.is_file():
        raise InvalidInput(f"demo shop file missing: {path} (run `ecomai generate-shop`)")
    with open(path, newline="", encoding="utf-8") as handle:
        records = [convert(row, today) for row in csv.DictReader(handle)]
    with tqdm(total=len(records), desc=f"loading {table.name}", unit="rows", disable=None, leave=False) as bar:
        for chunk in _chunks(records):
            conn.execute(insert(table), list(chunk))
            bar.update(len(chunk))
    return len(records)


def _load_policies(conn: Connection, path: Path) -> int:
    if not path.is_file():
        raise InvalidInput(f"policy file missing: {path}")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    topics = document.pop("topics", {}) or {}
    if topics:
        conn.execute(insert(policies), [{"topic": str(k), "answer": str(v).strip()} for k, v in topics.items()])
    settings = [{"key": str(k), "value": str(v)} for k, v in document.items()]
    if settings:
        conn.execute(insert(shop_settings), settings)
    return len(topics)


@store_errors()
def init_database(engine: Engine, shop_dir: Path, *, today: date | None = None,
                  reset: bool = False) -> dict[str, int]:
    """Create the schema and load the demo shop from ``shop_dir`` in one transaction.

    Args:
        engine: target database.
        shop_dir: folder written by ``write_demo_shop`` (CSV files + ``policies.yml``).
        today: the day the day offsets count from (default: today in UTC).
        reset: replace the shop data (catalog, customers, orders, returns, policies,
            interactions) even if present; the conversation log and handoffs are kept.

    Returns:
        Rows loaded per table; all zero when the shop was already seeded.

    Raises:
        InvalidInput: a file of the demo shop is missing.
        StoreUnavailable: the database cannot be reached.
    """
    today = today or datetime.now(timezone.utc).date()
    create_schema(engine)
    counts = {table.name: 0 for table, _, _ in _CSV_LOADERS} | {policies.name: 0}
    with engine.begin() as conn:
        if reset:
            for table in SHOP_TABLES:
                conn.execute(delete(table))
        elif conn.execute(select(func.count()).select_from(products)).scalar_one() > 0:
            return counts
        for table, filename, convert in _CSV_LOADERS:
            counts[table.name] = _load_csv(conn, table, shop_dir / filename, convert, today)
        counts[policies.name] = _load_policies(conn, shop_dir / "policies.yml")
    return counts
