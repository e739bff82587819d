"""What every action shares: identity from channel metadata only, and one apology per
kind of failure, including the database going away under a running action server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.base import customer_id
from actions.orders import ActionCancelOrder, ActionOrderStatus, ValidateOrderStatusForm
from actions.shop import ActionAnswerPolicy, ActionRecommendProducts, ActionRequestHandoff
from tests.unit.actions.builders import form_tracker, make_tracker, responses, texts, user_message


def _tracker_with(message: dict) -> Tracker:
    return Tracker("s", {}, message, [], False, None, {}, "action_listen")


def test_customer_comes_only_from_channel_metadata() -> None:
    assert customer_id(make_tracker(customer_id="C0001")) == "C0001"
    # A shopper can fill slots and entities; neither makes them a customer.
    assert customer_id(make_tracker("I am C0001", slots={"customer_id": "C0001"})) is None
    assert customer_id(_tracker_with({**user_message(), "metadata": {"customer_id": 1}})) is None
    assert customer_id(_tracker_with({**user_message(), "metadata": {"customer_id": ""}})) is None
    assert customer_id(_tracker_with({"text": "hi"})) is None
    assert customer_id(_tracker_with({"text": "hi", "metadata": None})) is None


@pytest.mark.usefixtures("shop_db")
async def test_missing_data_is_a_not_found_apology_without_details(dispatcher: CollectingDispatcher,
                                                                       domain: dict) -> None:
    tracker = make_tracker("what about warranty_secret_topic?", "ask_warranty_secret_topic")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, domain)

    assert events == []
    assert responses(dispatcher) == ["utter_error_not_found"] and texts(dispatcher) == []


def _store_gone_cases() -> list:
    return [
        pytest.param(ActionOrderStatus(), make_tracker("status", "order_status", customer_id="C0001",
                                                       slots={"order_number": "EC100002"}), id="order-status"),
        pytest.param(ActionCancelOrder(), make_tracker("yes", "affirm", customer_id="C0001",
                                                       slots={"order_number": "EC100003", "cancel_confirmed": True}),
                     id="cancel"),
        pytest.param(ActionRequestHandoff(), make_tracker("human please", "request_human"), id="handoff"),
        pytest.param(ActionAnswerPolicy(), make_tracker("shipping?", "ask_shipping"), id="policy"),
        pytest.param(ActionRecommendProducts(), make_tracker("ideas?", "recommend", customer_id="C0001"),
                     id="recommend"),
        pytest.param(ValidateOrderStatusForm(), form_tracker("order_status_form", "order_number",
                                                             {"order_number": "EC100002"}, customer_id="C0001"),
                     id="form-validation"),
    ]


@pytest.mark.parametrize("action, tracker", _store_gone_cases())
async def test_database_directory_removed_under_a_running_server(action: Action, tracker: Tracker, shop_db: Path,
                                                                 domain: dict) -> None:
    """The server warmed up (catalog and recommender loaded), then the volume went away."""
    warm_up = CollectingDispatcher()
    await ActionRecommendProducts().run(warm_up, make_tracker("ideas?", "recommend"), domain)
    assert responses(warm_up) == [None, None]  # text + cards: the store was reachable
    shutil.rmtree(shop_db.parent)
    dispatcher = CollectingDispatcher()

    events = await action.run(dispatcher, tracker, domain)

    assert events == []
    assert responses(dispatcher) == ["utter_error_store_unavailable"]
    assert "utter_error_store_unavailable" in domain["responses"]


@pytest.mark.parametrize("table, action, tracker", [
    ("policies", ActionAnswerPolicy(), make_tracker("payment?", "ask_payment")),
    ("handoff_requests", ActionRequestHandoff(), make_tracker("agent", "request_human")),
    ("shipments", ActionOrderStatus(), make_tracker("status", "order_status", customer_id="C0001",
                                                    slots={"order_number": "EC100002"})),
])
async def test_missing_table_is_store_unavailable(table: str, action: Action, tracker: Tracker, engine: Engine,
                                                  dispatcher: CollectingDispatcher, domain: dict) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.exec_driver_sql(f"DROP TABLE {table}")

    await action.run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_error_store_unavailable"]


async def test_database_path_that_cannot_be_opened(shop_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                   dispatcher: CollectingDispatcher, domain: dict) -> None:
    """ECOMAI_DATABASE_URL names a directory, not a database file (a misconfigured mount)."""
    monkeypatch.setenv("ECOMAI_DATABASE_URL", f"sqlite:///{shop_db.parent}")

    await ActionRequestHandoff().run(dispatcher, make_tracker("agent", "request_human"), domain)

    assert responses(dispatcher) == ["utter_error_store_unavailable"]


async def test_unexpected_failure_is_a_generic_apology_without_details(dispatcher: CollectingDispatcher,
                                                                       domain: dict) -> None:
    class Exploding(ActionRequestHandoff):
        def act(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
            raise RuntimeError("secret internal detail")

    events = await Exploding().run(dispatcher, make_tracker("help", "request_human"), domain)

    assert events == []
    assert responses(dispatcher) == ["utter_error_internal"] and texts(dispatcher) == []
