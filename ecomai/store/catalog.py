"""Read access to the catalog and shopping history, as plain frozen values.

Search and recommendations build their indexes from these lists once at start-up,
so they never hold a database connection or depend on SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.store.db import store_errors
from ecomai.store.schema import interactions, order_items, orders, products


@dataclass(frozen=True)
class Product:
    """One catalog product.

    Attributes:
        sizes: available sizes; empty for one-size products.
        price: in the shop's currency (see shop setting ``currency``).
        rating: average review, 1.0 to 5.0.
        url: path of the product page on the shop's site.
    """

    sku: str
    name: str
    description: str
    category: str
    brand: str
    color: str
    sizes: tuple[str, ...]
    price: float
    stock: int
    rating: float
    url: str

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class Interaction:
    """One shopper event: ``event`` is 'view', 'cart' or 'purchase'; ``at`` is UTC."""

    customer_id: str
    sku: str
    event: str
    at: datetime


@store_errors()
def load_products(engine: Engine) -> list[Product]:
    """Every product, ordered by SKU."""
    with engine.connect() as conn:
        rows = conn.execute(select(products).order_by(products.c.sku)).mappings().all()
    return [Product(sku=r["sku"], name=r["name"], description=r["description"], category=r["category"],
                    brand=r["brand"], color=r["color"], sizes=tuple(s for s in r["sizes"].split("|") if s),
                    price=float(r["price"]), stock=r["stock"], rating=float(r["rating"]), url=r["url"])
            for r in rows]


@store_errors()
def purchased_skus(engine: Engine, customer_id: str) -> set[str]:
    """SKUs the customer has ordered (cancelled orders excluded), so recommendations
    can leave out what they already own."""
    query = (select(order_items.c.sku).distinct()
             .join(orders, orders.c.order_number == order_items.c.order_number)
             .where(orders.c.customer_id == customer_id, orders.c.status != "cancelled"))
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


@store_errors()
def load_interactions(engine: Engine) -> list[Interaction]:
    """Every view/cart/purchase event in time order, for fitting recommenders."""
    query = select(interactions).order_by(interactions.c.occurred_at, interactions.c.id)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [Interaction(r["customer_id"], r["sku"], r["event"], r["occurred_at"].replace(tzinfo=timezone.utc))
            for r in rows]
