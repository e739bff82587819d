"""A small real conversation log in a temp SQLite file, written through the log
writer's own path (write_messages), so summaries and the search index are the real ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from ecomai.store.conversations import LoggedMessage, write_messages
from ecomai.store.db import create_schema, make_engine
from ecomai.store.handoffs import request_handoff

T0 = datetime(2024, 6, 1, 9, 0, 0)


def user(session: str, n: int, text: str, minute: int, *, intent: str = "greet", confidence: float = 0.95,
         sentiment: str = "neutral", speech: bool = False, channel: str = "ecomai", day: int = 0) -> LoggedMessage:
    return LoggedMessage(
        event_id=f"{session}-u{n}", session_id=session, channel=channel, customer_id=None, sender="user", text=text,
        created_at=T0 + timedelta(days=day, minutes=minute), intent=intent, confidence=confidence,
        entities=({"entity": "email", "value": "alice@example.com", "start": 0, "end": 5},) if "@" in text else (),
        from_speech=speech, sentiment=sentiment, sentiment_score=0.9)


def bot(session: str, n: int, text: str, minute: int, *, action: str = "utter_greet", latency: float = 120.0,
        day: int = 0) -> LoggedMessage:
    return LoggedMessage(
        event_id=f"{session}-b{n}", session_id=session, channel=None, customer_id=None, sender="bot", text=text,
        created_at=T0 + timedelta(days=day, minutes=minute, seconds=1), action=action, latency_ms=latency)


def demo_log() -> list[LoggedMessage]:
    """Five conversations, each with one distinguishing trait."""
    return [
        user("s-plain", 1, "hello there", 0), bot("s-plain", 1, "Hi! How can I help?", 0),
        user("s-order", 1, "where is my parcel, mail alice@example.com", 10, intent="order_status",
             confidence=0.8), bot("s-order", 1, "Your order EC100001 has shipped.", 10, action="action_order_status",
                                  latency=300.0),
        user("s-angry", 1, "this is terrible service", 20, intent="request_human", confidence=0.42,
             sentiment="negative", day=1), bot("s-angry", 1, "Sorry!", 20, latency=90.0, day=1),
        user("s-voice", 1, "do you ship to france", 30, intent="ask_shipping", speech=True, day=2),
        bot("s-voice", 1, "We ship across the EU.", 30, day=2),
        user("s-lost", 1, "blorp zzz", 40, intent="nlu_fallback", confidence=0.3, channel="rest", day=3),
        bot("s-lost", 1, "Sorry, I didn't get that.", 40, action="utter_default", day=3),
    ]


@pytest.fixture
def log_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
    create_schema(engine)
    write_messages(engine, demo_log())
    request_handoff(engine, "s-angry", "negative_sentiment")
    yield engine
    engine.dispose()
