"""Single-turn shop actions: policy answers, product search, recommendations, handoff."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ORDER_SLOTS, ShopAction, customer_id, shop
from actions.browsing import PAGE_SIZE, last_search, present_results, shown_event, shown_skus
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
    """search_product starts a new search; refine_search ("cheaper", "in blue", "any brand")
    narrows or widens the last one, which the ``last_search`` slot remembers."""

    def name(self) -> Text:
        return "action_search_products"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        entities = {e: v for e in SEARCH_ENTITIES if (v := next(tracker.get_latest_entity_values(e), None))}
        refining = tracker.latest_message["intent"]["name"] == "refine_search"
        previous = last_search(tracker) if refining else None
        result = shop().search(tracker.latest_message.get("text") or "", entities, k=PAGE_SIZE,
                               previous=previous.query if previous else None,
                               previous_offset=previous.offset if previous else 0)
        return present_results(dispatcher, result, offset=0)


class ActionShowMoreProducts(ShopAction):
    """The next page of the last search, or a question when there is none to continue."""

    def name(self) -> Text:
        return "action_show_more_products"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        previous = last_search(tracker)
        if previous is None:
            dispatcher.utter_message(response="utter_ask_what_to_search")
            return []
        offset = previous.offset + PAGE_SIZE
        if offset >= previous.total:
            dispatcher.utter_message(response="utter_no_more_products")
            return []
        result = shop().next_page(previous.query, k=PAGE_SIZE, offset=offset)
        return present_results(dispatcher, result, offset=offset)


class ActionRecommendProducts(ShopAction):
    """Collaborative filtering for the shopper, in the context of what they just saw
    (search results, an order's items) when there is one."""

    def name(self) -> Text:
        return "action_recommend_products"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        category_words = next(tracker.get_latest_entity_values("category"), "") or tracker.latest_message.get("text", "")
        customer, context = customer_id(tracker), shown_skus(tracker)
        products = shop().recommend_for(customer, category_words=category_words, context_skus=context, k=PAGE_SIZE)
        if not products:
            dispatcher.utter_message(response="utter_no_products")
            return []
        dispatcher.utter_message(text=replies.recommendation_lead(signed_in=customer is not None,
                                                                  in_context=bool(context)))
        dispatcher.utter_message(json_message=replies.product_cards(products))
        return [shown_event(products)]


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
