"""Finding products over the real websocket: a search, the next page, a follow-up that
narrows it, and recommendations in the context of what was shown or ordered."""

from __future__ import annotations

from ecomai import replies
from ecomai.chat.client import converse
from ecomai.chat.protocol import new_session_id
from tests.e2e.test_conversations import bot_texts, custom_payloads
from tests.e2e.conftest import RunningService


def cards(frames: list[dict]) -> list[dict]:
    [payload] = [p for p in custom_payloads(frames) if p["type"] == "product_cards"]
    return payload["products"]


def buttons(frames: list[dict]) -> list[dict]:
    return [button for f in frames if f["type"] == "bot" for button in f.get("buttons") or []]


async def test_search_show_more_cheaper_then_recommendations(running: RunningService) -> None:
    turns = await converse(running.ws_url, ["I'm looking for jackets", "show me more", "something cheaper",
                                            "what would you recommend?"], session_id=new_session_id())
    first, second, cheaper, recommended = (cards(turn) for turn in turns)

    assert len(first) == 5 and "Showing 1–5 of " in bot_texts(turns[0])
    assert {"title": "Show more", "payload": "/show_more"} in buttons(turns[0])
    assert second and not {p["sku"] for p in first} & {p["sku"] for p in second}
    assert "Showing 6–" in bot_texts(turns[1])
    assert cheaper and max(p["price"] for p in cheaper) < max(p["price"] for p in first + second)
    assert "jacket" in " ".join(p["name"].lower() for p in cheaper)
    assert replies.recommendation_lead(signed_in=False, in_context=True) in bot_texts(turns[3])
    assert recommended and not {p["sku"] for p in recommended} & {p["sku"] for p in cheaper}


async def test_show_more_before_any_search_asks_what_to_look_for(running: RunningService) -> None:
    [turn] = await converse(running.ws_url, ["show me more"], session_id=new_session_id())

    assert "What are you looking for?" in bot_texts(turn)
    assert not custom_payloads(turn)


async def test_order_status_answer_comes_with_products_that_go_with_it(running: RunningService) -> None:
    turns = await converse(running.ws_url, ["where is my order?", "EC100002", "alice@example.com"],
                           session_id=new_session_id())

    assert "Order EC100002" in bot_texts(turns[2])
    assert "also liked" in bot_texts(turns[2])
    related = cards(turns[2])
    assert 0 < len(related) <= 3 and all(p["in_stock"] for p in related)
