"""Our event broker turns Rasa's event dicts into conversation-log rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broker import ConversationLogBroker, RasaEventTranslator
from ecomai.store import conversation_messages, create_schema, make_engine
from ecomai.store.log_writer import ConversationLogWriter

USER = {
    "sender_id": "s1", "event": "user", "timestamp": 1_700_000_000.0, "text": "where is EC100002",
    "input_channel": "ecomai", "message_id": "m1",
    "metadata": {"customer_id": "C0001", "channel": "websocket"},
    "parse_data": {"intent": {"name": "order_status", "confidence": 0.97},
                   "entities": [{"entity": "order_number", "value": "EC100002", "start": 9, "end": 17,
                                 "extractor": "DIETClassifier", "confidence_entity": 0.99}]},
}
ACTION = {"sender_id": "s1", "event": "action", "timestamp": 1_700_000_000.2, "name": "action_order_status"}
BOT = {"sender_id": "s1", "event": "bot", "timestamp": 1_700_000_000.25, "text": "Order EC100002 is on its way.",
       "data": {"buttons": [{"title": "More", "payload": "/more"}], "custom": None}, "metadata": {}}


def test_user_event_keeps_intent_confidence_entities_and_identity() -> None:
    message = RasaEventTranslator().translate(USER)
    assert message is not None
    assert (message.sender, message.intent, message.confidence) == ("user", "order_status", 0.97)
    assert message.entities == ({"entity": "order_number", "value": "EC100002", "start": 9, "end": 17,
                                 "extractor": "DIETClassifier"},)
    assert (message.customer_id, message.channel, message.event_id) == ("C0001", "ecomai", "m1")


def test_bot_event_gets_action_latency_and_payload() -> None:
    translator = RasaEventTranslator()
    translator.translate(USER)
    assert translator.translate(ACTION) is None
    bot = translator.translate(BOT)
    assert bot is not None
    assert bot.action == "action_order_status"
    assert bot.latency_ms == pytest.approx(250.0, abs=0.01)
    assert bot.payload == {"buttons": [{"title": "More", "payload": "/more"}]}
    assert bot.customer_id == "C0001"


def test_utter_action_in_metadata_wins() -> None:
    translator = RasaEventTranslator()
    bot = translator.translate({**BOT, "metadata": {"utter_action": "utter_greet"}})
    assert bot is not None and bot.action == "utter_greet" and bot.latency_ms is None


def test_other_events_are_skipped() -> None:
    translator = RasaEventTranslator()
    assert translator.translate({"sender_id": "s1", "event": "slot", "name": "x", "value": 1}) is None
    assert translator.translate({"event": "user", "text": "no sender"}) is None


def test_memory_is_bounded() -> None:
    translator = RasaEventTranslator(max_sessions=2)
    for sender in ("a", "b", "c"):
        translator.translate({**USER, "sender_id": sender})
    assert list(translator.sessions) == ["b", "c"]


async def test_broker_writes_to_the_log(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    broker = ConversationLogBroker(ConversationLogWriter(engine))
    for event in (USER, ACTION, BOT, {"sender_id": "s1", "event": "bot", "timestamp": "garbage"}):
        broker.publish(event)
    await broker.close()
    rows = conversation_messages(engine, "s1")
    assert [r.sender for r in rows] == ["user", "bot"]


def test_sentiment_from_our_nlu_component_is_logged() -> None:
    parse = {**USER["parse_data"], "sentiment": {"label": "negative", "score": 0.91}}
    message = RasaEventTranslator().translate({**USER, "parse_data": parse})
    assert message is not None and (message.sentiment, message.sentiment_score) == ("negative", 0.91)
