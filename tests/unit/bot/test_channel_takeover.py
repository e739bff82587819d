"""Human takeover through the real websocket channel in-process: a real Sanic server, a real
websockets shopper, a temp SQLite shop database, and the store API staff use."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest
import websockets
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.channel import EcomaiWebsocketInput
from ecomai.chat.client import chat, open_session
from ecomai.chat.takeover_relay import RelayOptions
from ecomai.store import LoggedMessage, conversation_messages, create_schema, make_engine, write_messages
from ecomai.store.takeover import hand_back, post_staff_reply, take_over
from tests.unit.bot.test_channel import LIMITS, SECRET, Server, recv, serving, turn, types


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_schema(engine)
    return engine


@pytest.fixture()
async def server(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    monkeypatch.setattr(Sanic, "test_mode", True)  # see tests/unit/bot/test_channel.py
    channel = EcomaiWebsocketInput(LIMITS, SECRET, takeover_engine=engine,
                                   takeover_options=RelayOptions(poll_interval_s=0.02))
    async with serving(channel) as running:
        yield running


def logged_as_the_broker_would(engine: Engine, session_id: str) -> None:
    write_messages(engine, [LoggedMessage(f"{session_id}-1", session_id, "ecomai", None, "user", "a human please",
                                          datetime.now(timezone.utc))])


async def test_staff_reply_reaches_the_shopper_and_the_bot_is_silent_until_hand_back(
    server: Server, engine: Engine
) -> None:
    async with websockets.connect(server.url) as ws:
        session_id = (await turn(ws, "hi", "m0"))[0]["session_id"]
        logged_as_the_broker_would(engine, session_id)
        take_over(engine, session_id, "sam", display_name="Sam")
        started = await recv(ws)
        assert (started["type"], started["agent"]) == ("takeover_started", "Sam")
        post_staff_reply(engine, session_id, "sam", "Hi, Sam here. How can I help?")
        reply = await recv(ws)
        assert (reply["type"], reply["text"]) == ("agent_message", "Hi, Sam here. How can I help?")

        held = await turn(ws, "my parcel is late", "m1")
        assert types(held) == ["received", "turn_complete"]  # no bot frame, no bot_unavailable
        assert [m.text for m in server.rasa.messages] == ["hi"]  # Rasa never saw it

        hand_back(engine, session_id, "sam")
        assert (await recv(ws))["type"] == "takeover_ended"
        after = await turn(ws, "thanks", "m2")
        assert types(after) == ["received", "bot", "turn_complete"]
        assert [m.text for m in server.rasa.messages] == ["hi", "thanks"]
    await server.channel.takeover.stop()  # type: ignore[union-attr]  # flushes the held turn's log row
    users = [m.text for m in conversation_messages(engine, session_id) if m.sender == "user"]
    assert users == ["a human please", "my parcel is late"]


async def test_a_shopper_away_during_the_takeover_gets_everything_on_reconnect(server: Server, engine: Engine) -> None:
    async with websockets.connect(server.url) as ws:
        session_id = (await turn(ws, "hi", "m0"))[0]["session_id"]
    logged_as_the_broker_would(engine, session_id)
    take_over(engine, session_id, "sam")
    post_staff_reply(engine, session_id, "sam", "Your refund is on its way.")
    await asyncio.sleep(0.1)  # several polls while nobody is attached
    async with websockets.connect(server.url) as ws:
        frames = await open_session(ws, customer_token=None, session_id=session_id, timeout_s=2)
        frames += [await recv(ws), await recv(ws)]
    assert types(frames) == ["session", "takeover_started", "agent_message"]
    assert frames[2]["text"] == "Your refund is on its way."


async def test_channel_without_a_database_has_no_takeover(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serving(EcomaiWebsocketInput(LIMITS, SECRET)) as plain:
        assert plain.channel.takeover is None
        async with websockets.connect(plain.url) as ws:
            assert types(await turn(ws, "hello")) == ["session", "received", "bot", "turn_complete"]


async def test_terminal_chat_shows_the_agent_and_the_takeover_notices(server: Server, engine: Engine) -> None:
    out = io.StringIO()

    async def lines() -> AsyncIterator[str]:
        yield "hi"
        session_id = server.rasa.messages[-1].sender_id
        logged_as_the_broker_would(engine, session_id)
        take_over(engine, session_id, "sam", display_name="Sam")
        post_staff_reply(engine, session_id, "sam", "Sam here, checking now.")
        hand_back(engine, session_id, "sam")
        await asyncio.sleep(0.3)  # several polls
        yield "/quit"

    await chat(server.url, customer_token=None, session_id=None, input_lines=lines(), out=out, timeout_s=2)
    shown = out.getvalue().splitlines()
    assert shown[3:] == ["(You're now chatting with Sam from our support team.)", "Sam> Sam here, checking now.",
                         "(You're back with the shop assistant. Ask me anything, or ask for a person again at any time.)"]
