from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
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
