from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecomai.errors import InvalidInput
from ecomai.store import LoggedMessage, conversation_messages, create_schema, write_messages
from ecomai.store.schema import conversations

T0 = datetime(2024, 6, 1, 10, 0, tzinfo=timezone.utc)


def _user(event_id: str, session: str = "s1", at: datetime = T0, **extra: Any) -> LoggedMessage:
    return LoggedMessage(event_id, session, None, None, "user", "where is my order?", at, **extra)


def _bot(event_id: str, session: str = "s1", at: datetime = T0) -> LoggedMessage:
    return LoggedMessage(event_id, session, "websocket", "C0001", "bot", "Your order has shipped.", at,
                         action="action_order_status", latency_ms=42.5,
                         payload={"buttons": [{"title": "Track", "payload": "/track"}]})


@pytest.fixture
def log(empty_engine: Engine) -> Engine:
    create_schema(empty_engine)
    return empty_engine


def test_first_message_creates_the_conversation(log: Engine) -> None:
    written = write_messages(log, [
        _user("u1", intent="order_status", confidence=0.93, entities=({"entity": "order_number",
                                                                        "value": "EC100001"},), from_speech=True),
        _bot("b1", at=T0 + timedelta(seconds=1))])
    assert written == 2
    user, bot = conversation_messages(log, "s1")
    assert (user.intent, user.confidence, user.from_speech) == ("order_status", 0.93, True)
    assert user.entities == ({"entity": "order_number", "value": "EC100001"},)
    assert bot.payload == {"buttons": [{"title": "Track", "payload": "/track"}]} and bot.latency_ms == 42.5
    assert bot.created_at == T0 + timedelta(seconds=1)
    assert (bot.channel, bot.customer_id) == ("websocket", "C0001")  # learnt from the bot event
    with log.connect() as conn:
        row = conn.execute(select(conversations)).mappings().one()
    assert row["started_at"] == T0.replace(tzinfo=None)
    assert row["last_event_at"] == (T0 + timedelta(seconds=1)).replace(tzinfo=None)


def test_retrying_a_batch_never_duplicates(log: Engine) -> None:
    batch = [_user("u1"), _bot("b1")]
    assert write_messages(log, batch) == 2
    assert write_messages(log, batch + [_user("u2", at=T0 + timedelta(minutes=1))]) == 1
    assert [m.event_id for m in conversation_messages(log, "s1")] == ["u1", "b1", "u2"]
    with log.connect() as conn:
        assert len(conn.execute(select(conversations.c.id)).all()) == 1


def test_batch_spanning_sessions(log: Engine) -> None:
    assert write_messages(log, [_user("a", "s1"), _user("b", "s2"), _bot("c", "s1")]) == 3
    assert len(conversation_messages(log, "s1")) == 2 and len(conversation_messages(log, "s2")) == 1
    assert conversation_messages(log, "unknown") == []
    assert write_messages(log, []) == 0


def test_invalid_sender_is_refused() -> None:
    with pytest.raises(InvalidInput):
        LoggedMessage("e", "s", None, None, "staff", "hi", T0)  # staff replies are sender 'agent'


def test_sentiment_round_trips(log: Engine) -> None:
    write_messages(log, [_user("u1", sentiment="negative", sentiment_score=0.93)])
    (message,) = conversation_messages(log, "s1")
    assert (message.sentiment, message.sentiment_score) == ("negative", 0.93)
