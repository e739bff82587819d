"""Deterministic demo shop: catalog, customers, orders, shipments, browsing history.

``build_demo_shop`` is pure (a seeded ``random.Random``, no I/O); ``write_demo_shop``
turns it into CSV files plus ``policies.yml``. The same seed always gives byte-identical
files, so the generated data can be committed and reviewed like code. Dates are day
offsets ("placed_days_ago") that seeding turns into real dates, so the demo never ages.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

from ecomai.errors import InvalidInput
from ecomai.shop.policy_text import CARRIERS, policy_document
from ecomai.shop.vocabulary import (ADJECTIVES, BRANDS, CATEGORIES, COLOURS, DESCRIPTION_TEMPLATES,
                                    FIRST_NAMES, LAST_NAMES)

Row = dict[str, object]

HEADERS: dict[str, tuple[str, ...]] = {
    "products": ("sku", "name", "description", "category", "brand", "color", "sizes", "price", "stock",
                 "rating", "url"),
    "customers": ("customer_id", "name", "email"),
    "orders": ("order_number", "customer_id", "status", "placed_days_ago", "total"),
    "order_items": ("order_number", "sku", "quantity", "unit_price", "size"),
    "shipments": ("order_number", "carrier", "tracking_number", "tracking_url", "shipped_days_ago",
                  "eta_days_from_now", "delivered_days_ago"),
    "interactions": ("customer_id", "sku", "event", "days_ago"),
}

# Share of generated (non-fixture) orders in each status.
STATUS_WEIGHTS = {"pending": 6, "processing": 9, "shipped": 10, "out_for_delivery": 4, "delivered": 50,
                  "cancelled": 9, "returned": 12}
SHIPPED_STATUSES = ("shipped", "out_for_delivery", "delivered", "returned")

FIXED_CUSTOMERS = (("C0001", "Alice Martin", "alice@example.com"), ("C0002", "Bob Chen", "bob@example.com"))
FIXED_PREFERENCES = {"C0001": ("shoes", "t-shirts", "headphones"), "C0002": ("kitchen", "bedding")}


@dataclass(frozen=True)
class _FixedOrder:
    number: str
    customer_id: str
    status: str
    placed: int
    shipped: int | None  # days ago
    eta: int | None  # days from now
    delivered: int | None  # days ago
    nouns: tuple[str, ...]  # one item of the first product with each noun


# The demo orders the README and tests rely on (see contract): keep them exactly like this.
FIXED_ORDERS = (
    _FixedOrder("EC100001", "C0001", "delivered", 9, 7, -5, 5, ("Running Shoes", "T-Shirt")),
    _FixedOrder("EC100002", "C0001", "shipped", 3, 2, 2, None, ("Wireless Headphones",)),
    _FixedOrder("EC100003", "C0001", "processing", 1, None, None, None, ("Rain Jacket", "Slim Jeans")),
    _FixedOrder("EC100004", "C0001", "delivered", 66, 64, -61, 60, ("Wrap Dress",)),
    _FixedOrder("EC100005", "C0001", "cancelled", 12, None, None, None, ("Backpack",)),
    _FixedOrder("EC100006", "C0001", "out_for_delivery", 4, 3, 0, None, ("Smartwatch",)),
    _FixedOrder("EC100007", "C0002", "pending", 0, None, None, None, ("Kettle", "Duvet Cover")),
)


@dataclass(frozen=True)
class ShopSize:
    """How big the generated shop is; the defaults are the committed demo shop.

    Attributes:
        products_per_category: products in each of the ten categories.
        customers: customers including the two fixed ones.
        orders: orders including the seven fixed ones.
        views_per_customer: (min, max) browsing views per customer before carts.
    """

    products_per_category: int = 54
    customers: int = 200
    orders: int = 600
    views_per_customer: tuple[int, int] = (30, 130)

    def __post_init__(self) -> None:
        most_nouns = max(len(words.nouns) for words in CATEGORIES.values())
        if self.products_per_category < most_nouns:
            raise InvalidInput(f"products_per_category must be >= {most_nouns} so every product type exists")
        if self.customers < len(FIXED_CUSTOMERS) + 1 or self.orders < len(FIXED_ORDERS) + 1:
            raise InvalidInput("need room for the fixed customers and orders plus at least one random one")
        low, high = self.views_per_customer
        if not 0 <= low <= high:
            raise InvalidInput("views_per_customer must be (min, max) with 0 <= min <= max")


@dataclass(frozen=True)
class _Product:
    sku: str
    noun: str
    category: str
    brand: str
    sizes: tuple[str, ...]
    price_cents: int
    row: Row


@dataclass(frozen=True)
class DemoShop:
    """All generated rows, keyed by file stem (see ``HEADERS``)."""

    tables: dict[str, list[Row]] = field(default_factory=dict)
    policies: dict[str, object] = field(default_factory=dict)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _make_products(rng: random.Random, per_category: int) -> list[_Product]:
    products: list[_Product] = []
    seen_names: set[str] = set()
    for category, words in CATEGORIES.items():
        brands = rng.sample(BRANDS, 6)  # each category has its own few brands, like a real shop
        for index in range(per_category):
            noun, phrase = words.nouns[index % len(words.nouns)]
            while True:
                model, colour = rng.choice(words.models), rng.choice(COLOURS)
                name = f"{model} {colour.capitalize()} {noun}"
                if name not in seen_names:
                    seen_names.add(name)
                    break
            brand = rng.choice(brands)
            low, high = words.price_range
            price_cents = rng.randint(low, high) * 100 + rng.choice((0, 50, 99, 99))
            description = " ".join((rng.choice(DESCRIPTION_TEMPLATES).format(
                color=colour, phrase=phrase, brand=brand, model=model, material=rng.choice(words.materials),
                feature=rng.choice(words.features), use=rng.choice(words.uses),
                adjective=rng.choice(ADJECTIVES)), rng.choice(words.extras)))
            sku = f"SKU-{len(products) + 1:05d}"
            stock = 0 if rng.random() < 0.08 else rng.randint(1, 120)
            rating = min(5.0, max(1.0, rng.triangular(1.8, 5.0, 4.4)))
            row: Row = {"sku": sku, "name": name, "description": description[0].upper() + description[1:],
                        "category": category, "brand": brand, "color": colour, "sizes": "|".join(words.sizes),
                        "price": _money(price_cents), "stock": stock, "rating": f"{rating:.1f}",
                        "url": f"/products/{sku}"}
            products.append(_Product(sku, noun, category, brand, words.sizes, price_cents, row))
    return products


def _make_customers(rng: random.Random, count: int) -> list[Row]:
    rows: list[Row] = [{"customer_id": cid, "name": name, "email": email} for cid, name, email in FIXED_CUSTOMERS]
    emails = {str(row["email"]) for row in rows}
    while len(rows) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
        email = f"{local}@example.com"
        suffix = 2
        while email in emails:
            email, suffix = f"{local}{suffix}@example.com", suffix + 1
        emails.add(email)
        rows.append({"customer_id": f"C{len(rows) + 1:04d}", "name": f"{first} {last}", "email": email})
    return rows


class _Shopper:
    """One customer's taste: favourite categories and brands, so their history has signal."""

    def __init__(self, rng: random.Random, customer_id: str, by_category: dict[str, list[_Product]]) -> None:
        self.rng = rng
        categories = list(by_category)
        self.favourites = FIXED_PREFERENCES.get(customer_id) or tuple(rng.sample(categories, rng.randint(1, 3)))
        self.brands = set(rng.sample(BRANDS, 3))
        self.by_category = by_category
        self._weights: dict[str, list[float]] = {}

    def pick(self, popularity: dict[str, float]) -> _Product:
        """A product this shopper plausibly looks at: mostly favourite categories and brands."""
        if self.rng.random() < 0.85:
            category = self.rng.choice(self.favourites)
        else:
            category = self.rng.choice(list(self.by_category))
        products = self.by_category[category]
        if category not in self._weights:
            self._weights[category] = [popularity[p.sku] * (4.0 if p.brand in self.brands else 1.0)
                                       for p in products]
        return self.rng.choices(products, weights=self._weights[category])[0]


def _tracking(rng: random.Random, carrier: str) -> tuple[str, str]:
    if carrier == "UPS":
        number = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    else:
        number = "".join(rng.choice("0123456789") for _ in range({"FedEx": 12, "USPS": 22}.get(carrier, 10)))
    return number, CARRIERS[carrier].format(number=number)


def _random_dates(rng: random.Random, status: str) -> tuple[int, int | None, int | None, int | None]:
    """(placed days ago, shipped days ago, eta days from now, delivered days ago) for a status."""
    if status in ("pending", "processing", "cancelled"):
        placed = {"pending": rng.randint(0, 1), "processing": rng.randint(0, 3)}.get(status, rng.randint(1, 200))
        return placed, None, None, None
    if status == "shipped":
        shipped = rng.randint(0, 4)
        return shipped + rng.randint(0, 2), shipped, rng.randint(-1, 4), None  # eta -1: running late
    if status == "out_for_delivery":
        shipped = rng.randint(1, 5)
        return shipped + rng.randint(0, 2), shipped, 0, None
    delivered = rng.randint(1, 360) if status == "delivered" else rng.randint(10, 360)
    transit = rng.randint(1, 5)
    shipped = delivered + transit
    return shipped + rng.randint(0, 2), shipped, rng.randint(-1, 1) - delivered, delivered


def _order_rows(rng: random.Random, number: str, customer_id: str, status: str,
                dates: tuple[int, int | None, int | None, int | None], items: Sequence[_Product],
                shop: DemoShop) -> None:
    placed, shipped, eta, delivered = dates
    total = 0
    for product in items:
        quantity = 2 if rng.random() < 0.1 else 1
        size = rng.choice(product.sizes) if product.sizes else ""
        total += quantity * product.price_cents
        shop.tables["order_items"].append({"order_number": number, "sku": product.sku, "quantity": quantity,
                                           "unit_price": _money(product.price_cents), "size": size})
    shop.tables["orders"].append({"order_number": number, "customer_id": customer_id, "status": status,
                                  "placed_days_ago": placed, "total": _money(total)})
    if shipped is not None:
        carrier = rng.choice(list(CARRIERS))
        tracking_number, url = _tracking(rng, carrier)
        shop.tables["shipments"].append({
            "order_number": number, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": url,
            "shipped_days_ago": shipped, "eta_days_from_now": "" if eta is None else eta,
            "delivered_days_ago": "" if delivered is None else delivered})
    _purchase_events(rng, customer_id, status, placed, items, shop)


def _purchase_events(rng: random.Random, customer_id: str, status: str, placed: int,
                     items: Sequence[_Product], shop: DemoShop) -> None:
    """Every ordered item was viewed and carted first; only kept orders count as purchases."""
    events = shop.tables["interactions"]
    for product in items:
        events.append({"customer_id": customer_id, "sku": product.sku, "event": "view",
                       "days_ago": placed + rng.randint(0, 6)})
        events.append({"customer_id": customer_id, "sku": product.sku, "event": "cart", "days_ago": placed})
        if status != "cancelled":
            events.append({"customer_id": customer_id, "sku": product.sku, "event": "purchase",
                           "days_ago": placed})


def _make_orders(rng: random.Random, size: ShopSize, products: list[_Product], shoppers: dict[str, _Shopper],
                 popularity: dict[str, float], shop: DemoShop) -> None:
    for fixed in FIXED_ORDERS:
        items = [next(p for p in products if p.noun == noun) for noun in fixed.nouns]
        _order_rows(rng, fixed.number, fixed.customer_id, fixed.status,
                    (fixed.placed, fixed.shipped, fixed.eta, fixed.delivered), items, shop)
    # Alice and Bob keep exactly their fixture orders; everyone else orders at random.
    buyers = [cid for cid in shoppers if cid not in FIXED_PREFERENCES]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for index in range(len(FIXED_ORDERS), size.orders):
        customer_id = rng.choice(buyers)
        shopper = shoppers[customer_id]
        status = rng.choices(statuses, weights=weights)[0]
        chosen: dict[str, _Product] = {}
        for _ in range(rng.choices((1, 2, 3, 4), weights=(50, 30, 14, 6))[0]):
            product = shopper.pick(popularity)
            chosen[product.sku] = product  # an SKU appears once per order
        _order_rows(rng, f"EC{100001 + index}", customer_id, status, _random_dates(rng, status),
                    list(chosen.values()), shop)


def _browsing(rng: random.Random, size: ShopSize, shoppers: dict[str, _Shopper],
              popularity: dict[str, float], shop: DemoShop) -> None:
    low, high = size.views_per_customer
    for customer_id, shopper in shoppers.items():
        for _ in range(rng.randint(low, high)):
            product, days_ago = shopper.pick(popularity), rng.randint(0, 365)
            shop.tables["interactions"].append({"customer_id": customer_id, "sku": product.sku, "event": "view",
                                                "days_ago": days_ago})
            if rng.random() < 0.12:  # abandoned carts: carted, never bought
                shop.tables["interactions"].append({"customer_id": customer_id, "sku": product.sku,
                                                    "event": "cart", "days_ago": days_ago})


def build_demo_shop(seed: int = 7, size: ShopSize = ShopSize()) -> DemoShop:
    """Generate the whole demo shop in memory (pure: depends only on the arguments).

    Args:
        seed: seed of the single ``random.Random`` every choice is drawn from.
        size: how many products, customers, orders and views to make.

    Returns:
        The rows of every CSV file (keys of ``HEADERS``) and the policy document.
    """
    rng = random.Random(seed)
    shop = DemoShop(tables={name: [] for name in HEADERS}, policies=policy_document())
    products = _make_products(rng, size.products_per_category)
    shop.tables["products"] = [p.row for p in products]
    shop.tables["customers"] = _make_customers(rng, size.customers)
    popularity = {p.sku: rng.paretovariate(1.5) for p in products}  # a few bestsellers, a long tail
    by_category: dict[str, list[_Product]] = {}
    for product in products:
        by_category.setdefault(product.category, []).append(product)
    shoppers = {str(row["customer_id"]): _Shopper(rng, str(row["customer_id"]), by_category)
                for row in shop.tables["customers"]}
    _make_orders(rng, size, products, shoppers, popularity, shop)
    _browsing(rng, size, shoppers, popularity, shop)
    rank = {"view": 0, "cart": 1, "purchase": 2}
    shop.tables["interactions"].sort(
        key=lambda r: (r["customer_id"], -int(str(r["days_ago"])), rank[str(r["event"])], r["sku"]))
    return shop


class _FoldedDumper(yaml.SafeDumper):
    """Writes long paragraphs as folded blocks so policies.yml stays readable in review."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FoldedDumper.add_representer(str, _represent_str)


def write_demo_shop(out_dir: Path, seed: int = 7, size: ShopSize = ShopSize()) -> dict[str, int]:
    """Write the demo shop's CSV files and ``policies.yml`` into ``out_dir``.

    Args:
        out_dir: folder to write into (created if missing; existing files are replaced).
        seed: generator seed; the same seed gives byte-identical files.
        size: shop size; the default is the committed demo shop.

    Returns:
        Rows written per CSV file stem, e.g. ``{"products": 540, ...}``.
    """
    shop = build_demo_shop(seed, size)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, header in HEADERS.items():
        with open(out_dir / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(shop.tables[name])
    text = yaml.dump(shop.policies, Dumper=_FoldedDumper, sort_keys=False, allow_unicode=True, width=100)
    (out_dir / "policies.yml").write_text(text, encoding="utf-8")
    return {name: len(rows) for name, rows in shop.tables.items()}
