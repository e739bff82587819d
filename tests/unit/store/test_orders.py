import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.errors import CancelNotAllowed, InvalidInput, ItemNotInOrder, OrderNotFound, ReturnNotAllowed
from ecomai.store import (cancel_order, create_return, customer_owns_order, find_order, normalise_order_number,
                          return_window_days)
from ecomai.store.orders import match_item, return_refusal
from ecomai.store.schema import returns

from .conftest import TODAY


@pytest.mark.parametrize("text, expected", [
    ("EC100001", "EC100001"), ("ec-100001", "EC100001"), ("where is my order Ec 100002?", "EC100002"),
    ("#EC100003.", "EC100003"), ("EC1000012", None), ("XEC100001", None), ("order 100001", None), ("", None),
])
def test_normalise_order_number(text: str, expected: str | None) -> None:
    assert normalise_order_number(text) == expected


def test_find_order_by_customer_id(engine: Engine) -> None:
    order = find_order(engine, "ec-100002", customer_id="C0001")
    assert (order.number, order.status) == ("EC100002", "shipped")
    assert order.placed_on == TODAY - timedelta(days=3)
    assert order.shipment is not None and order.shipment.shipped_on == TODAY - timedelta(days=2)
    assert order.shipment.eta is not None and order.shipment.eta > TODAY
    assert order.shipment.tracking_number in order.shipment.tracking_url
    assert order.total == pytest.approx(sum(i.unit_price * i.quantity for i in order.items))


def test_find_order_by_email_is_case_insensitive(engine: Engine) -> None:
    order = find_order(engine, "EC100001", email="  Alice@Example.COM ")
    assert len(order.items) == 2
    assert order.shipment is not None and order.shipment.delivered_on == TODAY - timedelta(days=5)


def test_unshipped_order_has_no_shipment(engine: Engine) -> None:
    assert find_order(engine, "EC100003", customer_id="C0001").shipment is None


def test_foreign_and_unknown_orders_look_the_same(engine: Engine) -> None:
    errors = []
    for number, identity in [("EC100007", {"customer_id": "C0001"}),  # Bob's order, asked by Alice
                             ("EC100001", {"email": "bob@example.com"}),
                             ("EC999999", {"customer_id": "C0001"}),
                             ("not an order", {"customer_id": "C0001"})]:
        with pytest.raises(OrderNotFound) as caught:
            find_order(engine, number, **identity)
        errors.append((type(caught.value), str(caught.value)))
    assert len(set(errors)) == 1


def test_lookup_without_identity_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        find_order(engine, "EC100001")


def test_customer_owns_order(engine: Engine) -> None:
    assert customer_owns_order(engine, "EC100001", "C0001")
    assert not customer_owns_order(engine, "EC100007", "C0001")
    assert not customer_owns_order(engine, "EC999999", "C0001")


def test_cancel_processing_order_once(engine: Engine) -> None:
    assert cancel_order(engine, "EC100003", customer_id="C0001").status == "cancelled"
    assert find_order(engine, "EC100003", customer_id="C0001").status == "cancelled"
    with pytest.raises(CancelNotAllowed):
        cancel_order(engine, "EC100003", customer_id="C0001")


def test_cancel_pending_order_by_email(engine: Engine) -> None:
    assert cancel_order(engine, "EC100007", email="bob@example.com").status == "cancelled"


@pytest.mark.parametrize("number", ["EC100002", "EC100006", "EC100001"])
def test_shipped_orders_cannot_be_cancelled(engine: Engine, number: str) -> None:
    with pytest.raises(CancelNotAllowed):
        cancel_order(engine, number, customer_id="C0001")
    assert find_order(engine, number, customer_id="C0001").status != "cancelled"


def test_cancel_someone_elses_order_is_not_found(engine: Engine) -> None:
    with pytest.raises(OrderNotFound):
        cancel_order(engine, "EC100007", customer_id="C0001")
    assert find_order(engine, "EC100007", customer_id="C0002").status == "pending"


def test_return_delivered_item_gives_rma(engine: Engine) -> None:
    created = create_return(engine, "EC100001", "the shoes", "too small", customer_id="C0001", today=TODAY)
    assert re.fullmatch(r"RMA-[0-9A-F]{8}", created.rma_number)
    assert "Shoes" in created.item_name and created.reason == "too small"
    with engine.connect() as conn:
        stored = conn.execute(select(returns.c.rma_number, returns.c.sku)).all()
    assert stored == [(created.rma_number, created.sku)]
    with pytest.raises(ReturnNotAllowed) as again:
        create_return(engine, "EC100001", "running shoes", "changed my mind", customer_id="C0001", today=TODAY)
    assert again.value.reason == "already_returned"


def test_returning_every_item_marks_order_returned(engine: Engine) -> None:
    order = find_order(engine, "EC100001", customer_id="C0001")
    for item in order.items:
        create_return(engine, "EC100001", item.sku, "no longer needed", customer_id="C0001", today=TODAY)
    assert find_order(engine, "EC100001", customer_id="C0001").status == "returned"


@pytest.mark.parametrize("number, reason", [("EC100004", "window_closed"), ("EC100003", "not_delivered"),
                                            ("EC100002", "not_delivered"), ("EC100005", "cancelled")])
def test_return_refused_with_reason(engine: Engine, number: str, reason: str) -> None:
    item = find_order(engine, number, customer_id="C0001").items[0].sku
    with pytest.raises(ReturnNotAllowed) as refused:
        create_return(engine, number, item, "reason", customer_id="C0001", today=TODAY)
    assert refused.value.reason == reason


def test_return_of_item_not_in_order(engine: Engine) -> None:
    with pytest.raises(ItemNotInOrder):
        create_return(engine, "EC100001", "the kettle", "broken", customer_id="C0001", today=TODAY)


def test_return_window_comes_from_policy(engine: Engine) -> None:
    assert return_window_days(engine) == 30


def test_match_item_by_words_typos_and_sku() -> None:
    lines = [("SKU-00001", "Featherlite White Running Shoes shoes"), ("SKU-00055", "Heritage Beige T-Shirt t-shirts")]
    assert match_item(lines, "the running shoes") == "SKU-00001"
    assert match_item(lines, "my sheos") == "SKU-00001"
    assert match_item(lines, "the beige t-shirt") == "SKU-00055"
    assert match_item(lines, "sku-00055") == "SKU-00055"
    assert match_item(lines, "SKU-00002") is None
    assert match_item(lines, "the kettle") is None
    assert match_item(lines, "it") is None  # two lines: ambiguous
    assert match_item(lines[:1], "it") == "SKU-00001"


def test_return_refusal_rule() -> None:
    delivered = TODAY - timedelta(days=30)
    assert return_refusal("delivered", delivered, 30, TODAY) is None
    assert return_refusal("delivered", delivered - timedelta(days=1), 30, TODAY) == "window_closed"
    assert return_refusal("returned", delivered, 30, TODAY) == "already_returned"


def test_concurrent_cancels_only_one_wins(engine: Engine) -> None:
    barrier, outcomes = threading.Barrier(2), []

    def cancel() -> None:
        barrier.wait()
        try:
            cancel_order(engine, "EC100003", customer_id="C0001")
            outcomes.append("cancelled")
        except CancelNotAllowed:
            outcomes.append("refused")

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == ["cancelled", "refused"]
