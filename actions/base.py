"""What every action shares: the process's ShopServices, the verified customer of
the conversation, and the single place where our errors become an apology."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import date
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from ecomai.config import Settings
from ecomai.errors import NotFound, StoreUnavailable
from ecomai.services import ShopServices

logger = logging.getLogger(__name__)

# The slot-filling forms and the answer actions reset these once a request is done.
ORDER_SLOTS = ("order_number", "order_email", "return_item", "return_reason", "cancel_confirmed")


@lru_cache(maxsize=1)
def shop() -> ShopServices:
    """One ShopServices per action-server process, configured from the environment."""
    return ShopServices(Settings.from_env())


def customer_id(tracker: Tracker) -> Optional[str]:
    """The customer our channel verified from a signed token, or None.

    Only channel metadata counts: shoppers can set slots and entities themselves,
    never metadata, so identity is never read from a slot.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    value = metadata.get("customer_id")
    return value if isinstance(value, str) and value else None


def today() -> date:
    return date.today()


def apologise(dispatcher: CollectingDispatcher, error: Exception) -> None:
    """Turn any failure into a shopper-safe reply; the details go to the log only."""
    if isinstance(error, StoreUnavailable):
        logger.warning("store unavailable: %s", error)
        dispatcher.utter_message(response="utter_error_store_unavailable")
    elif isinstance(error, NotFound):  # e.g. an order number typed as a slot payload
        logger.info("not found: %s", error)
        dispatcher.utter_message(response="utter_error_not_found")
    else:
        logger.exception("action failed", exc_info=error)
        dispatcher.utter_message(response="utter_error_internal")


class ShopAction(Action, ABC):
    """An action whose errors end in an apology instead of a dead conversation.

    Abstract (``act``), because rasa_sdk's executor instantiates every concrete Action
    subclass it finds and registers it under ``name()``.
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            return self.act(dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - the shopper must always get a reply
            apologise(dispatcher, error)
            return []

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """The action's work: reply through ``dispatcher``, return the events."""
