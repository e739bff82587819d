"""What happens when an order form completes: status, cancel, return, and the item
question, each against a real seeded shop."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions.orders import (ActionAskReturnItem, ActionCancelOrder, ActionCreateReturn, ActionOrderStatus,
                            ValidateReturnForm)
from ecomai import replies
from ecomai.store import catalog
from ecomai.store import orders as orders_store
from ecomai.store.schema import orders, returns, shipments
from tests.unit.actions.builders import form_tracker, make_tracker, responses, slot_values, texts

pytestmark = pytest.mark.usefixtures("shop_db")


def _status(engine: Engine, number: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(orders.c.status).where(orders.c.order_number == number)).scalar_one()


@pytest.mark.parametrize("identity", [{"customer_id": "C0001"}, {"slots": {"order_email": "alice@example.com"}}],
                         ids=["signed-in", "by-email"])
async def test_order_status_shows_carrier_and_tracking(identity: dict, engine: Engine,
                                                       dispatcher: CollectingDispatcher, domain: dict) -> None:
    slots = {"order_number": "EC100002", **identity.get("slots", {})}
    tracker = make_tracker("where is it?", "order_status", customer_id=identity.get("customer_id"), slots=slots)

    events = await ActionOrderStatus().run(dispatcher, tracker, domain)

    with engine.connect() as conn:
        carrier, tracking, url = conn.execute(select(shipments.c.carrier, shipments.c.tracking_number,
                                                     shipments.c.tracking_url)
                                              .where(shipments.c.order_number == "EC100002")).one()
    text = texts(dispatcher)[0]
    assert slot_values(events) == {"shown_skus": [item.sku for item in orders_store.find_order(
        engine, "EC100002", customer_id="C0001").items]}
    assert text.startswith("Order EC100002 ") and "on its way" in text
    assert carrier in text and tracking in text and url in text
    assert "Expected delivery: " in text


async def test_order_status_is_followed_by_products_that_go_with_the_order(
        engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("where is it?", "order_status", customer_id="C0001", slots={"order_number": "EC100002"})

    await ActionOrderStatus().run(dispatcher, tracker, domain)

    order = orders_store.find_order(engine, "EC100002", customer_id="C0001")
    assert texts(dispatcher)[1] == replies.also_bought_lead(order.items[0].name)
    [cards] = [m["custom"]["products"] for m in dispatcher.messages if m.get("custom")]
    related = {card["sku"] for card in cards}
    assert 0 < len(related) <= 3
    assert not related & (catalog.purchased_skus(engine, "C0001") | {item.sku for item in order.items})
    assert all(card["in_stock"] for card in cards)


async def test_order_status_never_shows_someone_elses_order(dispatcher: CollectingDispatcher,
                                                            domain: dict) -> None:
    """Slots can be set by a shopper ("/order_status{...}"); the order is still checked."""
    tracker = make_tracker("status", "order_status", customer_id="C0001", slots={"order_number": "EC100007"})

    await ActionOrderStatus().run(dispatcher, tracker, domain)

    assert texts(dispatcher) == []  # only a domain apology, no order details
    assert responses(dispatcher) == ["utter_error_not_found"]


async def test_confirmed_cancel_cancels_the_order(engine: Engine, dispatcher: CollectingDispatcher,
                                                  domain: dict) -> None:
    assert _status(engine, "EC100003") == "processing"
    tracker = make_tracker("yes", "affirm", customer_id="C0001",
                           slots={"order_number": "EC100003", "cancel_confirmed": True})

    await ActionCancelOrder().run(dispatcher, tracker, domain)

    assert _status(engine, "EC100003") == "cancelled"
    assert texts(dispatcher) == [
        "Order EC100003 is cancelled. You'll get your money back to the original payment method within 3–5 "
        "working days."]


async def test_anonymous_cancel_with_the_orders_email(engine: Engine, dispatcher: CollectingDispatcher,
                                                      domain: dict) -> None:
    tracker = make_tracker("yes", "affirm", slots={"order_number": "EC100007", "order_email": "bob@example.com",
                                                  "cancel_confirmed": True})

    await ActionCancelOrder().run(dispatcher, tracker, domain)

    assert _status(engine, "EC100007") == "cancelled"
    assert texts(dispatcher)[0].startswith("Order EC100007 is cancelled.")


@pytest.mark.parametrize("confirmed", [False, None])
async def test_declined_cancel_keeps_the_order(confirmed: bool | None, engine: Engine,
                                               dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("no", "deny", customer_id="C0001",
                           slots={"order_number": "EC100003", "cancel_confirmed": confirmed})

    await ActionCancelOrder().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_cancel_kept"]
    assert dispatcher.messages[0]["order_number"] == "EC100003"
    assert _status(engine, "EC100003") == "processing"


async def test_shipped_order_cannot_be_cancelled(engine: Engine, dispatcher: CollectingDispatcher,
                                                 domain: dict) -> None:
    tracker = make_tracker("yes", "affirm", customer_id="C0001",
                           slots={"order_number": "EC100002", "cancel_confirmed": True})

    await ActionCancelOrder().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_cancel_not_allowed"]
    assert dispatcher.messages[0]["order_number"] == "EC100002"
    assert _status(engine, "EC100002") == "shipped"


def _return_tracker(item: str = "SKU-00001", number: str = "EC100001"):
    return make_tracker("wrong size", "inform", customer_id="C0001",
                        slots={"order_number": number, "return_item": item, "return_reason": "wrong size"})


async def test_create_return_registers_an_rma(engine: Engine, dispatcher: CollectingDispatcher,
                                              domain: dict) -> None:
    await ActionCreateReturn().run(dispatcher, _return_tracker(), domain)

    with engine.connect() as conn:
        rows = conn.execute(select(returns.c.rma_number, returns.c.sku, returns.c.reason, returns.c.status)
                            .where(returns.c.order_number == "EC100001")).all()
    assert len(rows) == 1
    rma, sku, reason, status = rows[0]
    assert (sku, reason, status) == ("SKU-00001", "wrong size", "requested")
    [text] = texts(dispatcher)
    assert rma in text and "Featherlite White Running Shoes" in text and "EC100001" in text
    assert _status(engine, "EC100001") == "delivered"  # one of two items goes back


async def test_second_return_of_the_same_item_is_refused(engine: Engine, domain: dict) -> None:
    await ActionCreateReturn().run(CollectingDispatcher(), _return_tracker(), domain)
    again = CollectingDispatcher()

    await ActionCreateReturn().run(again, _return_tracker(), domain)

    assert responses(again) == ["utter_return_not_allowed_already_returned"]
    with engine.connect() as conn:
        assert len(conn.execute(select(returns.c.id).where(returns.c.order_number == "EC100001")).all()) == 1


@pytest.mark.parametrize("item, number, response", [
    ("a toaster", "EC100001", "utter_item_not_in_order"),
    ("SKU-00219", "EC100004", "utter_return_not_allowed_window_closed"),
])
async def test_create_return_refusals_use_domain_responses(item: str, number: str, response: str, engine: Engine,
                                                           dispatcher: CollectingDispatcher, domain: dict) -> None:
    await ActionCreateReturn().run(dispatcher, _return_tracker(item, number), domain)

    assert responses(dispatcher) == [response] and response in domain["responses"]
    assert dispatcher.messages[0]["order_number"] == number
    with engine.connect() as conn:
        assert conn.execute(select(returns.c.id).where(returns.c.order_number == number)).first() is None


async def test_ask_return_item_offers_the_orders_items(dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("EC100001", "inform", customer_id="C0001", slots={"order_number": "EC100001"})

    events = await ActionAskReturnItem().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert message["text"] == "Which item would you like to return?"
    assert message["buttons"] == [
        {"title": "Featherlite White Running Shoes (size 46)", "payload": "Featherlite White Running Shoes"},
        {"title": "Heritage Beige T-Shirt (size XXL)", "payload": "Heritage Beige T-Shirt"},
    ]


async def test_each_item_button_is_understood_as_that_item(dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("EC100001", "inform", customer_id="C0001", slots={"order_number": "EC100001"})
    await ActionAskReturnItem().run(dispatcher, tracker, domain)

    chosen = []
    for button in dispatcher.messages[0]["buttons"]:
        answer = form_tracker("return_form", "return_item", {"return_item": button["payload"]},
                              customer_id="C0001", slots={"order_number": "EC100001"})
        chosen.append(slot_values(await ValidateReturnForm().run(CollectingDispatcher(), answer, domain))
                      ["return_item"])
    assert chosen == ["SKU-00001", "SKU-00055"]
