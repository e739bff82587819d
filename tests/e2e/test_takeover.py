"""Human takeover end to end: the real Rasa server and action server, a real websocket shopper,
and staff acting through the store API the console calls (the console's HTTP test is its own)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

import websockets.client
from sqlalchemy import select

from ecomai.chat import protocol
from ecomai.chat.client import open_session, read_turn
from ecomai.store.conversations import conversation_messages
from ecomai.store.schema import handoff_requests
from ecomai.store.takeover import active_takeover, hand_back, post_staff_reply, take_over
from tests.e2e.conftest import RunningService
from tests.e2e.test_conversations import bot_texts

TIMEOUT_S = 30.0


async def say(ws: Any, text: str) -> list[dict]:
    message_id = protocol.new_message_id()
    await ws.send(protocol.encode_text(text, message_id))
    return await read_turn(ws, message_id, timeout_s=TIMEOUT_S)


async def pushed(ws: Any) -> dict:
    """The next frame the server pushes (no turn of the shopper's is open)."""
    return protocol.decode_server_frame(await asyncio.wait_for(ws.recv(), TIMEOUT_S))


def eventually(check: Callable[[], Any], timeout_s: float = 15.0) -> Any:
    """The conversation log is written in the background: wait until ``check`` holds."""
    deadline = time.monotonic() + timeout_s
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


def handoff_statuses(running: RunningService, session_id: str) -> list[str]:
    with running.engine.connect() as conn:
        return list(conn.execute(select(handoff_requests.c.status)
                                 .where(handoff_requests.c.session_id == session_id)).scalars())


async def test_staff_take_over_reply_and_hand_back_in_a_live_conversation(running: RunningService) -> None:
    session_id = protocol.new_session_id()
    async with websockets.client.connect(running.ws_url) as ws:
        await open_session(ws, customer_token=None, session_id=session_id, timeout_s=TIMEOUT_S)
        asked = await say(ws, "I want to talk to a human")
        assert "colleague" in bot_texts(asked)
        assert eventually(lambda: handoff_statuses(running, session_id) == ["open"])
        assert eventually(lambda: conversation_messages(running.engine, session_id))  # the console can see it

        take_over(running.engine, session_id, "sam", display_name="Sam")
        started = await pushed(ws)
        assert started["type"] == "takeover_started" and "Sam" in started["text"]
        assert handoff_statuses(running, session_id) == ["resolved"]
        reply_id = post_staff_reply(running.engine, session_id, "sam", "Hi, Sam here. What can I do for you?")
        reply = await pushed(ws)
        assert reply == {**reply, "type": "agent_message", "agent": "Sam", "id": reply_id,
                         "text": "Hi, Sam here. What can I do for you?"}

        held = await say(ws, "where is my order EC100002?")
        assert [f["type"] for f in held] == ["received", "turn_complete"]  # the bot stayed silent

        hand_back(running.engine, session_id, "sam")
        ended = await pushed(ws)
        assert ended["type"] == "takeover_ended" and "back with the shop assistant" in ended["text"]
        assert active_takeover(running.engine, session_id) is None
        back = await say(ws, "hello")
        assert "assistant" in bot_texts(back)  # the bot answers again

    def logged_through_the_last_turn() -> list:
        rows = conversation_messages(running.engine, session_id)
        return rows if any(r.sender == "user" and r.text == "hello" for r in rows) else []

    rows = eventually(logged_through_the_last_turn)
    said = [(r.sender, r.text) for r in rows if r.sender in ("user", "agent")]
    assert said == [("user", "I want to talk to a human"), ("agent", "Hi, Sam here. What can I do for you?"),
                    ("user", "where is my order EC100002?"), ("user", "hello")]
    assert [r.action for r in rows if r.sender == "event"] == ["takeover_started", "takeover_ended"]
    held_row = next(r for r in rows if r.text == "where is my order EC100002?")
    assert held_row.channel == "ecomai" and held_row.intent is None  # logged by the channel, never parsed


async def test_staff_reply_sent_while_the_shopper_is_away_arrives_on_reconnect(running: RunningService) -> None:
    session_id = protocol.new_session_id()
    async with websockets.client.connect(running.ws_url) as ws:
        await open_session(ws, customer_token=None, session_id=session_id, timeout_s=TIMEOUT_S)
        await say(ws, "can I speak to a real person")
    assert eventually(lambda: conversation_messages(running.engine, session_id))
    take_over(running.engine, session_id, "kim", display_name="Kim")
    post_staff_reply(running.engine, session_id, "kim", "Sorry for the wait, Kim here.")
    time.sleep(1.5)  # several polls of the channel pass while nobody is connected
    async with websockets.client.connect(running.ws_url) as ws:
        frames = await open_session(ws, customer_token=None, session_id=session_id, timeout_s=TIMEOUT_S)
        frames += [await pushed(ws), await pushed(ws)]
        assert [f["type"] for f in frames] == ["session", "takeover_started", "agent_message"]
        assert frames[-1]["text"] == "Sorry for the wait, Kim here."
        hand_back(running.engine, session_id, "kim")
        assert (await pushed(ws))["type"] == "takeover_ended"
