"""The single-turn shop actions against a real seeded shop database."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from actions import base
from actions.base import ORDER_SLOTS
from actions.shop import (ActionAnswerPolicy, ActionRecommendProducts, ActionRequestHandoff, ActionResetOrderSlots,
                          ActionSearchProducts, ActionShowMoreProducts)
from ecomai import replies
from ecomai.search.query import ProductQuery
from ecomai.store import catalog, policies
from ecomai.store.schema import handoff_requests, order_items, orders, products
from tests.unit.actions.builders import entity, make_tracker, responses, slot_values, texts

pytestmark = pytest.mark.usefixtures("shop_db")


def _cards(dispatcher: CollectingDispatcher) -> list[dict]:
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1, dispatcher.messages
    assert payloads[0]["type"] == "product_cards"
    return payloads[0]["products"]


@pytest.mark.parametrize("intent, topic", [
    ("ask_shipping", "shipping"), ("ask_payment", "payment"), ("ask_delivery_time", "delivery_time"),
    ("ask_sizes", "sizes"), ("ask_returns_policy", "returns_policy"),
])
async def test_policy_question_is_answered_from_the_policy_data(
        intent: str, topic: str, engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionAnswerPolicy().run(dispatcher, make_tracker("tell me", intent), domain)

    assert events == []
    assert texts(dispatcher) == [policies.policy_answer(engine, topic)]


async def test_every_ask_intent_in_the_domain_has_a_policy_answer(engine: Engine, domain: dict) -> None:
    asked = {intent.removeprefix("ask_") for intent in domain["intents"] if intent.startswith("ask_")}
    assert asked and asked <= set(policies.policy_topics(engine))


async def test_search_black_jeans_under_80_shows_only_matching_cards(
        engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("black jeans under 80", "search_product",
                           entities=[entity("color", "black"), entity("category", "jeans")])

    events = await ActionSearchProducts().run(dispatcher, tracker, domain)

    assert texts(dispatcher)[0] == "Here's what I found:"
    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    cards = _cards(dispatcher)
    assert cards
    for card in cards:
        product = by_sku[card["sku"]]
        assert (product.color, product.category) == ("black", "jeans")
        assert product.price <= 80 and card["price"] <= 80
        assert product.stock > 0 and card["in_stock"] is True
    remembered = slot_values(events)
    assert remembered["shown_skus"] == [card["sku"] for card in cards]
    assert remembered["last_search"]["offset"] == 0 and remembered["last_search"]["total"] >= len(cards)
    assert ProductQuery.from_slot(remembered["last_search"]["query"]).color == "black"


async def test_search_with_impossible_price_says_which_filter_it_dropped(
        engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    await ActionSearchProducts().run(dispatcher, make_tracker("jeans under 10", "search_product"), domain)

    assert texts(dispatcher)[0] == (
        "Nothing matched everything, so I ignored the price limit. Here's the closest I found:")
    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    cards = _cards(dispatcher)
    assert cards and {by_sku[c["sku"]].category for c in cards} == {"jeans"}
    assert all(card["in_stock"] for card in cards)


@pytest.mark.parametrize("query", [
    "'; DROP TABLE products; --",
    'NEAR(" OR * jeans AND "',
    "black jeans " + "x" * 10_000,
    "\x00\u202e<script>alert(1)</script>",
    "",
], ids=["sql", "fts-operators", "10k-chars", "control-and-html", "empty"])
async def test_hostile_or_huge_search_text_gets_a_reply_and_changes_nothing(
        query: str, engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    before = len(catalog.load_products(engine))

    events = await ActionSearchProducts().run(dispatcher, make_tracker(query, "search_product"), domain)

    assert set(slot_values(events)) <= {"last_search", "shown_skus"}
    assert texts(dispatcher), "the shopper always gets an answer"
    assert not {"utter_error_internal", "utter_error_store_unavailable"} & set(responses(dispatcher))
    assert len(catalog.load_products(engine)) == before


async def _search(text: str, intent: str = "search_product", slots: dict | None = None,
                  entities: list | None = None) -> tuple[CollectingDispatcher, dict]:
    """One search-like turn; returns what the bot said and the slots it set."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, slots=slots, entities=entities)
    action = ActionShowMoreProducts() if intent == "show_more" else ActionSearchProducts()
    return dispatcher, slot_values(await action.run(dispatcher, tracker, {}))


async def test_show_more_pages_through_every_match_once_then_says_so(engine: Engine) -> None:
    dispatcher, slots = await _search("jackets")
    seen = [card["sku"] for card in _cards(dispatcher)]
    total = slots["last_search"]["total"]
    assert total > len(seen)
    assert {"title": "Show more", "payload": "/show_more"} in dispatcher.messages[-1]["buttons"]
    while len(seen) < total:
        dispatcher, slots = await _search("show me more", "show_more", slots)
        page = [card["sku"] for card in _cards(dispatcher)]
        assert page and slots["last_search"]["offset"] == len(seen)
        seen += page
    assert len(seen) == len(set(seen)) == total
    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    assert {by_sku[sku].category for sku in seen} == {"jackets"}
    assert {"title": "Show more", "payload": "/show_more"} not in dispatcher.messages[-1]["buttons"]

    dispatcher, after_the_end = await _search("more", "show_more", slots)

    assert responses(dispatcher) == ["utter_no_more_products"] and after_the_end == {}


@pytest.mark.parametrize("slots", [None, {"last_search": "not a dict"},
                                   {"last_search": {"query": {"price_max": "'; DROP TABLE"}, "offset": 0,
                                                    "total": 9}},
                                   {"last_search": {"query": {}, "offset": -5, "total": 9}}],
                         ids=["no-search-yet", "string", "tampered-query", "negative-offset"])
async def test_show_more_without_a_usable_search_asks_what_to_look_for(slots: dict | None) -> None:
    dispatcher, events = await _search("more please", "show_more", slots)

    assert responses(dispatcher) == ["utter_ask_what_to_search"] and events == {}


async def test_cheaper_keeps_the_search_and_lowers_the_price(engine: Engine) -> None:
    first, slots = await _search("jackets")
    first_prices = [card["price"] for card in _cards(first)]

    cheaper, refined = await _search("something cheaper", "refine_search", slots)

    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    cards = _cards(cheaper)
    assert cards and {by_sku[c["sku"]].category for c in cards} == {"jackets"}
    assert max(c["price"] for c in cards) < max(first_prices)
    assert refined["last_search"]["query"] != slots["last_search"]["query"]


async def test_in_blue_narrows_the_last_search_to_that_colour(engine: Engine) -> None:
    _, slots = await _search("jackets")

    blue, _ = await _search("in blue", "refine_search", slots, entities=[entity("color", "blue")])

    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    assert {(by_sku[c["sku"]].category, by_sku[c["sku"]].color) for c in _cards(blue)} == {("jackets", "blue")}


async def test_recommendations_after_a_search_are_in_its_context(domain: dict) -> None:
    _, slots = await _search("jackets")
    dispatcher = CollectingDispatcher()

    events = await ActionRecommendProducts().run(dispatcher, make_tracker("what goes with these?", "recommend",
                                                                          slots=slots), domain)

    assert texts(dispatcher)[0] == replies.recommendation_lead(signed_in=False, in_context=True)
    recommended = [card["sku"] for card in _cards(dispatcher)]
    assert len(recommended) == 5 and not set(recommended) & set(slots["shown_skus"])
    assert slot_values(events)["shown_skus"] == recommended


async def _recommended(customer: str | None, domain: dict) -> list[str]:
    dispatcher = CollectingDispatcher()
    await ActionRecommendProducts().run(dispatcher, make_tracker("what do you recommend?", "recommend",
                                                                 customer_id=customer), domain)
    assert dispatcher.messages[0]["text"] == replies.recommendation_lead(signed_in=customer is not None,
                                                                         in_context=False)
    return [card["sku"] for card in _cards(dispatcher)]


async def test_signed_in_customer_is_never_recommended_what_they_bought(engine: Engine, domain: dict) -> None:
    top = await _recommended(None, domain)
    with engine.connect() as conn:  # someone who bought one of the anonymous top products
        buyer = conn.execute(select(orders.c.customer_id).join(order_items, order_items.c.order_number
                                                                == orders.c.order_number)
                             .where(order_items.c.sku.in_(top), orders.c.status != "cancelled")
                             .order_by(orders.c.customer_id).limit(1)).scalar_one()

    for customer in (buyer, "C0001"):
        bought = catalog.purchased_skus(engine, customer)
        recommended = await _recommended(customer, domain)
        assert len(recommended) == 5 and not set(recommended) & bought, customer
    assert set(top) & catalog.purchased_skus(engine, buyer)  # so the exclusion above was exercised


async def test_sold_out_products_are_never_recommended(shop_db: Path, engine: Engine, domain: dict) -> None:
    top = await _recommended("C0001", domain)
    with engine.begin() as conn:
        conn.execute(update(products).where(products.c.sku == top[0]).values(stock=0))
    base.shop.cache_clear()  # the catalog is read once per action-server process

    recommended = await _recommended("C0001", domain)

    sold_out = {p.sku for p in catalog.load_products(engine) if p.stock <= 0}
    assert top[0] in sold_out and len(recommended) == 5
    assert not set(recommended) & sold_out


@pytest.mark.parametrize("customer", [None, "C0001"])
async def test_category_entity_restricts_recommendations(
        customer: str | None, engine: Engine, dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("any ideas?", "recommend", entities=[entity("category", "jackets")], customer_id=customer)

    await ActionRecommendProducts().run(dispatcher, tracker, domain)

    by_sku = {p.sku: p for p in catalog.load_products(engine)}
    cards = _cards(dispatcher)
    assert cards and {by_sku[c["sku"]].category for c in cards} == {"jackets"}


async def test_handoff_is_queued_for_this_session(engine: Engine, dispatcher: CollectingDispatcher,
                                                  domain: dict) -> None:
    tracker = make_tracker("I want a human", "request_human", sender_id="session-handoff-42")

    events = await ActionRequestHandoff().run(dispatcher, tracker, domain)

    assert events == []
    with engine.connect() as conn:
        rows = conn.execute(select(handoff_requests.c.session_id, handoff_requests.c.status)
                            .where(handoff_requests.c.session_id == "session-handoff-42")).all()
    assert rows == [("session-handoff-42", "open")]
    assert texts(dispatcher)[0].endswith(policies.policy_answer(engine, "human_hours"))


async def test_reset_clears_every_order_slot(dispatcher: CollectingDispatcher, domain: dict) -> None:
    tracker = make_tracker("thanks", "thank", slots={"order_number": "EC100001", "order_email": "a@b.co",
                                                    "cancel_confirmed": True})

    events = await ActionResetOrderSlots().run(dispatcher, tracker, domain)

    assert slot_values(events) == {slot: None for slot in ORDER_SLOTS}
    assert set(ORDER_SLOTS) <= set(domain["slots"])
    assert dispatcher.messages == []
