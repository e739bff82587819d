from datetime import datetime, timezone

from sqlalchemy.engine import Engine

from ecomai.store import load_interactions, load_products, purchased_skus


def test_load_products(engine: Engine) -> None:
    products = load_products(engine)
    assert len(products) >= 520
    assert [p.sku for p in products] == sorted(p.sku for p in products)
    shoes = next(p for p in products if p.category == "shoes")
    assert "42" in shoes.sizes and isinstance(shoes.price, float)
    bag = next(p for p in products if p.category == "bags")
    assert bag.sizes == ()
    assert {p.in_stock for p in products} == {True, False}


def test_purchased_skus_skip_cancelled_orders(engine: Engine) -> None:
    bought = purchased_skus(engine, "C0001")
    assert len(bought) >= 5
    bob = purchased_skus(engine, "C0002")
    assert len(bob) == 2  # EC100007, pending
    assert purchased_skus(engine, "C9999") == set()


def test_load_interactions_in_time_order(engine: Engine) -> None:
    events = load_interactions(engine)
    assert len(events) > 15_000
    assert {e.event for e in events} == {"view", "cart", "purchase"}
    assert events[0].at <= events[-1].at <= datetime.now(timezone.utc)
    assert events[0].at.tzinfo is timezone.utc
