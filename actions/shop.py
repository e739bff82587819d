"""Single-turn shop actions: policy answers, product search, recommendations, handoff."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ORDER_SLOTS, ShopAction, customer_id, shop
from ecomai import replies
from ecomai.store import handoffs, policies

SEARCH_ENTITIES = ("category", "color", "brand", "price")


class ActionAnswerPolicy(ShopAction):
    """Answers ask_<topic> intents from the shop's policy data (data/shop/policies.yml)."""

    def name(self) -> Text:
        return "action_answer_policy"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = tracker.latest_message["intent"]["name"]
        topic = intent.removeprefix("ask_")
        dispatcher.utter_message(text=policies.policy_answer(shop().engine, topic))
        return []


class ActionSearchProducts(ShopAction):
    def name(self) -> Text:
        return "action_search_products"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        entities = {e: v for e in SEARCH_ENTITIES if (v := next(tracker.get_latest_entity_values(e), None))}
        result = shop().search(tracker.latest_message.get("text") or "", entities)
        dispatcher.utter_message(text=replies.search_text(result))
        if result.products:
            dispatcher.utter_message(json_message=replies.product_cards(result.products))
        return []


class ActionRecommendProducts(ShopAction):
    """Popularity baseline (ecomai.recommend.popularity) until collaborative filtering lands."""

    def name(self) -> Text:
        return "action_recommend_products"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        category_words = next(tracker.get_latest_entity_values("category"), "") or tracker.latest_message.get("text", "")
        products = shop().recommend_for(customer_id(tracker), category_words=category_words)
        if not products:
            dispatcher.utter_message(response="utter_no_products")
            return []
        dispatcher.utter_message(text="These are popular with our shoppers right now:")
        dispatcher.utter_message(json_message=replies.product_cards(products))
        return []


class ActionRequestHandoff(ShopAction):
    def name(self) -> Text:
        return "action_request_handoff"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        engine = shop().engine
        handoffs.request_handoff(engine, tracker.sender_id, reason="shopper_asked")
        dispatcher.utter_message(
            text="I've asked a colleague to take over; they'll reply right here. "
            + policies.policy_answer(engine, "human_hours")
        )
        return []


class ActionResetOrderSlots(ShopAction):
    """Forget the finished request, so the next one can't act on a stale order."""

    def name(self) -> Text:
        return "action_reset_order_slots"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet(slot, None) for slot in ORDER_SLOTS]
