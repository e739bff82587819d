"""The takeover relay over a real temp SQLite: what staff write reaches ``deliver`` in order, once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest
from sqlalchemy.engine import Engine

from ecomai.chat.takeover_relay import RelayOptions, TakeoverRelay
from ecomai.errors import InvalidInput, StoreUnavailable
from ecomai.store import LoggedMessage, conversation_messages, create_schema, make_engine, write_messages
from ecomai.store.log_writer import ConversationLogWriter
from ecomai.store.takeover import hand_back, post_staff_reply, take_over, undelivered_agent_events


class Shoppers:
    """The channel's side, for real: which sessions are attached, and what each was sent."""

    def __init__(self, *attached: str) -> None:
        self.attached = list(attached)
        self.sent: list[tuple[str, dict]] = []

    async def deliver(self, session_id: str, frame: str) -> None:
        self.sent.append((session_id, json.loads(frame)))


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    for session_id in ("s1", "s2"):
        write_messages(engine, [LoggedMessage(f"{session_id}-e", session_id, "ecomai", None, "user", "hi",
                                              datetime(2024, 6, 1, tzinfo=timezone.utc))])
    return engine


@pytest.fixture()
async def relay_for(engine: Engine) -> AsyncIterator:
    made: list[TakeoverRelay] = []

    def build(shoppers: Shoppers) -> TakeoverRelay:
        made.append(TakeoverRelay(engine, shoppers.deliver, lambda: shoppers.attached,
                                  ConversationLogWriter(engine), RelayOptions(poll_interval_s=0.01)))
        return made[-1]

    yield build
    for relay in made:
        await relay.stop()


async def test_staff_actions_reach_the_attached_shopper_in_order_once(engine: Engine, relay_for) -> None:
    shoppers = Shoppers("s1")
    relay = relay_for(shoppers)
    take_over(engine, "s1", "sam", display_name="Sam")
    reply_id = post_staff_reply(engine, "s1", "sam", "Hello, I'm looking at your order.")
    take_over(engine, "s2", "kim")  # s2 is not attached here: stays in the database
    assert await relay.poll_once() == 2
    hand_back(engine, "s1", "sam")
    assert await relay.poll_once() == 1
    assert await relay.poll_once() == 0
    frames = [frame for _, frame in shoppers.sent]
    assert [f["type"] for f in frames] == ["takeover_started", "agent_message", "takeover_ended"]
    assert frames[0]["text"] == "You're now chatting with Sam from our support team."
    assert frames[1]["text"] == "Hello, I'm looking at your order." and frames[1]["id"] == reply_id
    assert frames[1]["agent"] == "Sam" and frames[1]["sent_at"].endswith("Z")
    assert "back with the shop assistant" in frames[2]["text"]
    assert {session for session, _ in shoppers.sent} == {"s1"}
    assert [e.session_id for e in undelivered_agent_events(engine, ["s1", "s2"])] == ["s2"]


async def test_a_shopper_who_attaches_later_gets_what_waited(engine: Engine, relay_for) -> None:
    shoppers = Shoppers()
    relay = relay_for(shoppers)
    take_over(engine, "s2", "kim")
    post_staff_reply(engine, "s2", "kim", "Are you still there?")
    assert await relay.poll_once() == 0  # nobody attached: not even a query's worth of work
    shoppers.attached.append("s2")
    assert await relay.poll_once() == 2
    assert [f["type"] for _, f in shoppers.sent] == ["takeover_started", "agent_message"]


async def test_running_relay_delivers_within_the_poll_interval(engine: Engine, relay_for) -> None:
    shoppers = Shoppers("s1")
    relay = relay_for(shoppers)
    relay.start()
    relay.start()  # idempotent
    take_over(engine, "s1", "sam")
    for _ in range(200):
        if shoppers.sent:
            break
        await asyncio.sleep(0.01)
    assert [f["type"] for _, f in shoppers.sent] == ["takeover_started"]


async def test_held_turn_is_logged_for_staff_and_unheld_turn_is_not(engine: Engine, relay_for) -> None:
    relay = relay_for(Shoppers("s1"))
    assert await relay.hold_turn("s1", "is anyone there?", customer_id=None, channel="ecomai", from_speech=False) is False
    take_over(engine, "s1", "sam")
    assert await relay.hold_turn("s1", "where is my parcel", customer_id="C0001", channel="ecomai", from_speech=True)
    await relay.stop()  # flushes the log writer
    users = [m for m in conversation_messages(engine, "s1") if m.sender == "user"]
    assert [(m.text, m.from_speech) for m in users] == [("hi", False), ("where is my parcel", True)]
    assert users[-1].customer_id == "C0001" and users[-1].channel == "ecomai"


async def test_unreadable_database_sends_nothing_and_the_bot_answers(tmp_path: Path) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")  # the tables were never created
    shoppers = Shoppers("s1")
    relay = TakeoverRelay(broken, shoppers.deliver, lambda: shoppers.attached, ConversationLogWriter(broken))
    with pytest.raises(StoreUnavailable):
        await relay.poll_once()
    assert await relay.hold_turn("s1", "hello", customer_id=None, channel="ecomai", from_speech=False) is False
    assert shoppers.sent == []
    await relay.stop()


async def test_delivered_but_unmarked_events_are_not_sent_twice(engine: Engine, tmp_path: Path) -> None:
    take_over(engine, "s1", "sam")
    locker = sqlite3.connect(tmp_path / "log.db", isolation_level=None)
    shoppers = Shoppers("s1")

    async def deliver_then_lock(session_id: str, frame: str) -> None:
        await shoppers.deliver(session_id, frame)
        locker.execute("BEGIN EXCLUSIVE")  # another writer holds the database right after the send

    impatient = make_engine(f"sqlite:///{tmp_path / 'log.db'}", busy_timeout_ms=20)
    relay = TakeoverRelay(impatient, deliver_then_lock, lambda: shoppers.attached, ConversationLogWriter(impatient))
    with pytest.raises(StoreUnavailable):
        await relay.poll_once()  # sent, but could not be marked
    locker.execute("ROLLBACK")
    locker.close()
    assert await relay.poll_once() == 0  # marked now, not sent again
    assert len(shoppers.sent) == 1 and undelivered_agent_events(engine, ["s1"]) == []
    await relay.stop()


@pytest.mark.parametrize("options", [{"poll_interval_s": 0}, {"poll_interval_s": 61}, {"batch": 0}])
def test_options_are_checked(options: dict) -> None:
    with pytest.raises(InvalidInput):
        RelayOptions(**options)
