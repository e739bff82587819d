from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from bot.tracker_store import ShopTrackerStore
from ecomai.config import REPO_ROOT


@pytest.fixture
def store_config(tmp_path: Path) -> EndpointConfig:
    """endpoints.yml's own tracker store section, on a fresh database file."""
    section = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())["tracker_store"]
    return EndpointConfig.from_dict({**section, "db": str(tmp_path / "var" / "tracker.db")})


def open_store(config: EndpointConfig) -> TrackerStore:
    store = TrackerStore.create(config, Domain.load(REPO_ROOT / "bot" / "domain.yml"))
    return getattr(store, "_tracker_store", store)  # Rasa may wrap it in an AwaitableTrackerStore


def test_rasa_loads_our_store_from_endpoints_yml_on_a_pooled_wal_engine(store_config: EndpointConfig) -> None:
    """A class Rasa cannot import would silently become an in-memory store that forgets
    every conversation at restart; this is the check that it does not."""
    store = open_store(store_config)
    assert isinstance(store, ShopTrackerStore)
    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


async def test_conversations_survive_a_restart(store_config: EndpointConfig) -> None:
    store = open_store(store_config)
    tracker = await store.get_or_create_tracker("shopper-1")
    tracker.update(UserUttered("where is my order", {"name": "order_status", "confidence": 0.97}))
    tracker.update(ActionExecuted("utter_ask_order_number"))
    tracker.update(BotUttered("What is your order number?"))
    await store.save(tracker)
    store.engine.dispose()
    again = await open_store(store_config).retrieve("shopper-1")
    assert again is not None
    assert again.latest_message.text == "where is my order"
    assert [event.as_dict()["event"] for event in again.events][-3:] == ["user", "action", "bot"]


class RecordingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


async def saves_of_a_two_session_conversation(store: SQLTrackerStore) -> list[tuple[str, dict]]:
    """Three saves, the last after a session restart; returns the stored rows (without
    timestamps: the tracker's own first event is stamped with the time of day)."""
    tracker = await store.get_or_create_tracker("shopper-2")
    for turn, events in enumerate([
        [UserUttered("hi", {"name": "greet", "confidence": 1.0}, timestamp=1.0),
         BotUttered("Hello!", timestamp=1.1), ActionExecuted("action_listen", timestamp=1.2)],
        [UserUttered("where is my order", {"name": "order_status", "confidence": 0.9}, timestamp=2.0)],
        [ActionExecuted("action_session_start", timestamp=3.0), SessionStarted(timestamp=3.1),
         ActionExecuted("action_listen", timestamp=3.2), UserUttered("hello again", timestamp=3.3)],
    ]):
        if turn == 2:
            tracker = await store.retrieve("shopper-2")
            assert tracker is not None
        for event in events:
            tracker.update(event)
        await store.save(tracker)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT type_name, data FROM events ORDER BY id"))
        return [(type_name, without_time(json.loads(data))) for type_name, data in rows]


def without_time(event: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != "timestamp"}


async def test_saves_publish_and_store_exactly_what_rasas_own_store_does(tmp_path: Path) -> None:
    """Ours finds the new events once instead of rebuilding the conversation a second time;
    the broker and the table must not be able to tell."""
    domain = Domain.load(REPO_ROOT / "bot" / "domain.yml")
    theirs_broker, ours_broker = RecordingBroker(), RecordingBroker()
    theirs = SQLTrackerStore(domain, db=str(tmp_path / "theirs.db"), event_broker=theirs_broker)
    ours = ShopTrackerStore(domain, db=str(tmp_path / "ours.db"), event_broker=ours_broker)
    theirs_rows = await saves_of_a_two_session_conversation(theirs)
    ours_rows = await saves_of_a_two_session_conversation(ours)
    assert ours_rows == theirs_rows and len(ours_rows) > 8
    assert list(map(without_time, ours_broker.published)) == list(map(without_time, theirs_broker.published))
    assert [event["event"] for event in ours_broker.published].count("user") == 3  # each published once
