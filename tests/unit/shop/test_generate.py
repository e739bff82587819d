import csv
from pathlib import Path

import pytest
import yaml

from ecomai.config import REPO_ROOT
from ecomai.errors import InvalidInput
from ecomai.shop import ShopSize, build_demo_shop, write_demo_shop

SMALL = ShopSize(products_per_category=8, customers=12, orders=30, views_per_customer=(2, 6))
COMMITTED = REPO_ROOT / "data" / "shop"


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    write_demo_shop(tmp_path / "a", seed=3, size=SMALL)
    write_demo_shop(tmp_path / "b", seed=3, size=SMALL)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["customers.csv", "interactions.csv", "order_items.csv", "orders.csv", "policies.yml",
                     "products.csv", "shipments.csv"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_other_seed_gives_another_catalog() -> None:
    first = build_demo_shop(seed=1, size=SMALL).tables["products"]
    second = build_demo_shop(seed=2, size=SMALL).tables["products"]
    assert [p["name"] for p in first] != [p["name"] for p in second]


def test_committed_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    counts = write_demo_shop(tmp_path)
    assert counts["products"] >= 520 and counts["orders"] == 600 and counts["interactions"] > 15_000
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), f"{path.name}: run ecomai generate-shop"


def test_fixed_demo_customers_and_orders_are_present() -> None:
    customers = {r["customer_id"]: r for r in _rows(COMMITTED, "customers")}
    assert (customers["C0001"]["name"], customers["C0001"]["email"]) == ("Alice Martin", "alice@example.com")
    assert (customers["C0002"]["name"], customers["C0002"]["email"]) == ("Bob Chen", "bob@example.com")
    orders = {r["order_number"]: r for r in _rows(COMMITTED, "orders")}
    fixed = {n: (orders[n]["customer_id"], orders[n]["status"]) for n in [f"EC10000{i}" for i in range(1, 8)]}
    assert fixed == {"EC100001": ("C0001", "delivered"), "EC100002": ("C0001", "shipped"),
                     "EC100003": ("C0001", "processing"), "EC100004": ("C0001", "delivered"),
                     "EC100005": ("C0001", "cancelled"), "EC100006": ("C0001", "out_for_delivery"),
                     "EC100007": ("C0002", "pending")}
    assert sorted(n for n, r in orders.items() if r["customer_id"] in ("C0001", "C0002")) == sorted(fixed)
    shipments = {r["order_number"]: r for r in _rows(COMMITTED, "shipments")}
    assert shipments["EC100001"]["delivered_days_ago"] == "5"
    assert shipments["EC100004"]["delivered_days_ago"] == "60"
    assert shipments["EC100002"]["shipped_days_ago"] == "2" and int(shipments["EC100002"]["eta_days_from_now"]) > 0
    assert {"EC100003", "EC100005", "EC100007"}.isdisjoint(shipments)
    items = [r for r in _rows(COMMITTED, "order_items") if r["order_number"] == "EC100001"]
    assert len(items) == 2


def test_every_status_and_consistent_shipments() -> None:
    orders = _rows(COMMITTED, "orders")
    assert {r["status"] for r in orders} == {"pending", "processing", "shipped", "out_for_delivery", "delivered",
                                             "cancelled", "returned"}
    shipped = {r["order_number"] for r in _rows(COMMITTED, "shipments")}
    for order in orders:
        has_shipment = order["order_number"] in shipped
        assert has_shipment == (order["status"] in ("shipped", "out_for_delivery", "delivered", "returned"))


def test_catalog_shape() -> None:
    products = _rows(COMMITTED, "products")
    assert len({p["category"] for p in products}) == 10
    assert 12 <= len({p["brand"] for p in products}) <= 18
    assert any(p["stock"] == "0" for p in products) and any(p["stock"] != "0" for p in products)
    assert all(1.0 <= float(p["rating"]) <= 5.0 for p in products)
    assert all(p["url"] == f"/products/{p['sku']}" for p in products)
    assert len({p["description"] for p in products}) > 0.9 * len(products)


def test_purchases_match_kept_order_items() -> None:
    kept = {r["order_number"]: r["customer_id"] for r in _rows(COMMITTED, "orders") if r["status"] != "cancelled"}
    bought = {(kept[r["order_number"]], r["sku"]) for r in _rows(COMMITTED, "order_items") if r["order_number"] in kept}
    purchases = {(r["customer_id"], r["sku"]) for r in _rows(COMMITTED, "interactions") if r["event"] == "purchase"}
    assert purchases == bought


def test_policies_have_every_topic() -> None:
    document = yaml.safe_load((COMMITTED / "policies.yml").read_text(encoding="utf-8"))
    assert document["return_window_days"] == 30 and document["free_shipping_threshold"] > 0
    assert set(document["topics"]) == {"shipping", "delivery_time", "payment", "sizes", "returns_policy",
                                       "human_hours"}
    assert "30 days" in document["topics"]["returns_policy"]


def test_too_small_a_shop_is_refused_before_any_work() -> None:
    with pytest.raises(InvalidInput):
        ShopSize(products_per_category=2)
