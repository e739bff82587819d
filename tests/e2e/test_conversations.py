"""Three real conversations over a real websocket, checking replies and logged rows."""

from __future__ import annotations

import time

from sqlalchemy import select

from ecomai.chat.client import converse
from ecomai.chat.identity import sign_customer_token
from ecomai.chat.protocol import new_session_id
from ecomai.store.conversations import conversation_messages
from ecomai.store.schema import orders as orders_table
from tests.e2e.conftest import SECRET, RunningService


def bot_texts(frames: list[dict]) -> str:
    return "\n".join(f.get("text") or "" for f in frames if f["type"] == "bot")


def custom_payloads(frames: list[dict]) -> list[dict]:
    return [f["custom"] for f in frames if f["type"] == "bot" and f.get("custom")]


def logged(running: RunningService, session_id: str, expected_user_messages: int, timeout_s: float = 10.0) -> list:
    """The log is written in the background: wait until the user messages are there."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = conversation_messages(running.engine, session_id)
        if sum(r.sender == "user" for r in rows) >= expected_user_messages or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


async def test_anonymous_shopper_tracks_an_order_with_email(running: RunningService) -> None:
    session = new_session_id()
    turns = await converse(
        running.ws_url,
        ["hello", "where is my order EC100002?", "alice@example.com", "thanks!"],
        session_id=session,
    )
    assert "assistant" in bot_texts(turns[0])
    assert "e-mail" in bot_texts(turns[1])  # asked for the e-mail, revealed nothing yet
    status = bot_texts(turns[2])
    assert "EC100002" in status and "on its way" in status and "tracking number" in status
    assert "welcome" in bot_texts(turns[3]).lower()

    rows = logged(running, session, expected_user_messages=4)
    users = [r for r in rows if r.sender == "user"]
    bots = [r for r in rows if r.sender == "bot"]
    assert [u.text for u in users] == ["hello", "where is my order EC100002?", "alice@example.com", "thanks!"]
    assert users[0].intent == "greet" and users[0].confidence and users[0].confidence > 0.5
    assert users[1].intent == "order_status"
    assert any(e["entity"] == "order_number" for e in users[1].entities)
    assert all(b.latency_ms is not None and b.latency_ms >= 0 for b in bots)
    assert any(b.action == "action_order_status" for b in bots)
    assert {r.channel for r in rows} == {"ecomai"}


async def test_wrong_email_reveals_nothing(running: RunningService) -> None:
    turns = await converse(
        running.ws_url, ["where is my order EC100002", "mallory@example.com"], session_id=new_session_id()
    )
    reply = bot_texts(turns[1])
    assert "couldn't find an order with that number and e-mail" in reply
    assert "tracking" not in reply and "shipped" not in reply


async def test_signed_in_customer_cancels_without_email(running: RunningService) -> None:
    token = sign_customer_token(SECRET, "C0001")
    session = new_session_id()
    turns = await converse(
        running.ws_url, ["please cancel order EC100003", "yes"], customer_token=token, session_id=session
    )
    assert "Cancel order EC100003?" in bot_texts(turns[0])
    assert "is cancelled" in bot_texts(turns[1])
    with running.engine.connect() as conn:
        status = conn.execute(select(orders_table.c.status).where(orders_table.c.order_number == "EC100003")).scalar()
    assert status == "cancelled"
    rows = logged(running, session, expected_user_messages=2)
    assert rows[0].customer_id == "C0001"


async def test_search_then_handoff(running: RunningService) -> None:
    session = new_session_id()
    turns = await converse(
        running.ws_url, ["show me black jeans under $80", "I want to talk to a human"], session_id=session
    )
    cards = custom_payloads(turns[0])
    assert cards and cards[0]["type"] == "product_cards"
    products = cards[0]["products"]
    assert products and all(p["price"] <= 80 and p["in_stock"] for p in products)
    assert "colleague" in bot_texts(turns[1])
    rows = logged(running, session, expected_user_messages=2)
    assert rows[-1].sender == "bot"


async def test_action_server_down_gets_an_apology_then_recovers(running: RunningService) -> None:
    running.service.stop("actions")
    try:
        turns = await converse(running.ws_url, ["how much is shipping?"], session_id=new_session_id())
        errors = [f for f in turns[0] if f["type"] == "error"]
        assert [e["code"] for e in errors] == ["bot_unavailable"]
        assert "try again" in errors[0]["message"]
    finally:
        running.service.start_process("actions")
    turns = await converse(running.ws_url, ["how much is shipping?"], session_id=new_session_id())
    assert "sorry" not in bot_texts(turns[0]).lower()
    assert bot_texts(turns[0]).strip()


async def test_an_angry_shopper_is_offered_a_person_once(running: RunningService) -> None:
    session = new_session_id()
    turns = await converse(running.ws_url, [
        "This is absolutely unacceptable!! Three weeks and my parcel still hasn't arrived, I want my money back NOW",
        "and nobody answers my emails, this is the worst shop ever",
    ], session_id=session)
    assert "frustrating" in bot_texts(turns[0])
    assert "frustrating" not in bot_texts(turns[1])  # offered once per upset streak
    rows = logged(running, session, expected_user_messages=2)
    users = [r for r in rows if r.sender == "user"]
    assert [u.sentiment for u in users] == ["negative", "negative"]
    assert users[0].sentiment_score is not None and users[0].sentiment_score > 0.9


async def test_other_languages_and_topics_land_in_the_fallback(running: RunningService) -> None:
    turns = await converse(running.ws_url, ["Wie spät ist es gerade in Tokio?", "Quel temps fera-t-il demain ?",
                                            "can you explain quantum entanglement to me"],
                           session_id=new_session_id())
    for turn in turns:
        assert "Here is what I can do" in bot_texts(turn)
