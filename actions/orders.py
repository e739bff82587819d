"""Order actions: the three forms' validation, and what happens when each completes.

Privacy: an order is shown only to the customer the channel verified, or to a
shopper who gives the order's e-mail address. Unknown order and someone else's
order get the same answer, so guessing numbers reveals nothing.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import ShopAction, apologise, customer_id, shop, today
from actions.browsing import shown_event_for_skus
from ecomai import replies
from ecomai.errors import CancelNotAllowed, EcomaiError, ItemNotInOrder, OrderNotFound, ReturnNotAllowed
from ecomai.store import orders

logger = logging.getLogger(__name__)

SlotValues = Dict[Text, Any]
RELATED_TO_ORDER = 3


class _OrderFormValidation(FormValidationAction):
    """Shared by the three order forms: order number, then e-mail unless signed in."""

    check_return_eligibility = False

    @property
    @abstractmethod
    def form(self) -> Text:
        """The form in bot/domain.yml (a class attribute in each subclass).

        Not ``form_name``: rasa_sdk's ``form_name()`` is a method that ``domain_slots()``
        calls. Abstract, so rasa_sdk's executor does not register this base class.
        """

    def name(self) -> Text:
        return f"validate_{self.form}"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if customer_id(tracker):
            return [slot for slot in domain_slots if slot != "order_email"]
        return domain_slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        try:
            return await super().run(dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - the form re-asks; the shopper gets an apology
            apologise(dispatcher, error)
            return []

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        number = orders.normalise_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_bad_order_number")
            return {"order_number": None}
        customer = customer_id(tracker)
        if customer is None:
            # Checked together with the e-mail: next, or now if the shopper gave one already
            # (an e-mail kept from an earlier order number, or both in one message).
            email = orders.find_email(str(tracker.get_slot("order_email") or ""))
            return {"order_number": number} if email is None else self._check_email(dispatcher, number, email)
        if not orders.customer_owns_order(shop().engine, number, customer):
            dispatcher.utter_message(response="utter_order_not_in_account", order_number=number)
            return {"order_number": None}
        return self._eligible(dispatcher, number, customer_id=customer)

    def validate_order_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        email = orders.find_email(str(value or ""))
        if email is None:
            dispatcher.utter_message(response="utter_bad_email")
            return {"order_email": None}
        number = tracker.get_slot("order_number")
        if not number:  # the e-mail came before a valid order number: ask for it after the number
            return {"order_email": None}
        return self._check_email(dispatcher, number, email)

    def _check_email(self, dispatcher: CollectingDispatcher, number: str, email: str) -> SlotValues:
        """Accept the pair only if the order is that e-mail's; otherwise start again with
        the same reply an unknown order number gets."""
        try:
            orders.find_order(shop().engine, number, email=email)
        except OrderNotFound:
            dispatcher.utter_message(response="utter_order_email_mismatch")
            return {"order_number": None, "order_email": None}
        return {**self._eligible(dispatcher, number, email=email), "order_email": email}

    def _eligible(self, dispatcher: CollectingDispatcher, number: str, **identity: Optional[str]) -> SlotValues:
        """For returns, say at once if the order can't be returned, then ask for another
        order number (the shopper can say "stop" to leave the form); a verified e-mail is
        kept, and the next number is checked against it."""
        if self.check_return_eligibility:
            order = orders.find_order(shop().engine, number, **identity)
            delivered_on = order.shipment.delivered_on if order.shipment else None
            window = orders.return_window_days(shop().engine)
            blocker = orders.return_refusal(order.status, delivered_on, window, today())
            if blocker is not None:
                dispatcher.utter_message(response=f"utter_return_not_allowed_{blocker}", order_number=number)
                return {"order_number": None}
        return {"order_number": number}


class ValidateOrderStatusForm(_OrderFormValidation):
    form = "order_status_form"


class ValidateCancelOrderForm(_OrderFormValidation):
    form = "cancel_order_form"


class ValidateReturnForm(_OrderFormValidation):
    form = "return_form"
    check_return_eligibility = True

    def validate_return_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        order = _order(tracker)
        sku = orders.match_item([(item.sku, item.name) for item in order.items], str(value or ""))
        if sku is None:
            dispatcher.utter_message(response="utter_item_not_in_order", order_number=order.number)
        return {"return_item": sku}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        reason = " ".join(str(value or "").split())[:500]
        return {"return_reason": reason or None}


class ActionAskReturnItem(ShopAction):
    """Asks which item, offering the order's items as buttons."""

    def name(self) -> Text:
        return "action_ask_return_item"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        order = _order(tracker)
        buttons = [{"title": f"{item.name}" + (f" (size {item.size})" if item.size else ""), "payload": item.name}
                   for item in order.items]
        dispatcher.utter_message(text="Which item would you like to return?", buttons=buttons)
        return []


class ActionOrderStatus(ShopAction):
    def name(self) -> Text:
        return "action_order_status"

    """The order's status, then a few products that go with what was ordered: the
    moment a shop's own order page shows "customers also bought"."""

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        order = _order(tracker)
        dispatcher.utter_message(text=replies.order_status_text(order, today()))
        if not order.items:
            return []
        ordered = [item.sku for item in order.items]
        try:
            related = shop().recommend_for(customer_id(tracker), context_skus=ordered, k=RELATED_TO_ORDER)
        except EcomaiError as error:  # the status was the answer; suggestions are a bonus
            logger.warning("no recommendations after order status: %s", error)
            return []
        related = [p for p in related if p.sku not in ordered]
        if related:
            dispatcher.utter_message(text=replies.also_bought_lead(order.items[0].name))
            dispatcher.utter_message(json_message=replies.product_cards(related))
        return [shown_event_for_skus(ordered)]


class ActionCreateReturn(ShopAction):
    def name(self) -> Text:
        return "action_create_return"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("order_number")
        try:
            created = orders.create_return(
                shop().engine, number, tracker.get_slot("return_item"), tracker.get_slot("return_reason"),
                **_identity(tracker), today=today(),
            )
        except ReturnNotAllowed as refused:
            dispatcher.utter_message(response=f"utter_return_not_allowed_{refused.reason}", order_number=number)
            return []
        except ItemNotInOrder:
            dispatcher.utter_message(response="utter_item_not_in_order", order_number=number)
            return []
        dispatcher.utter_message(text=replies.return_created_text(created))
        return []


class ActionCancelOrder(ShopAction):
    def name(self) -> Text:
        return "action_cancel_order"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("order_number")
        if not tracker.get_slot("cancel_confirmed"):
            dispatcher.utter_message(response="utter_cancel_kept", order_number=number)
            return []
        try:
            cancelled = orders.cancel_order(shop().engine, number, **_identity(tracker))
        except CancelNotAllowed:
            dispatcher.utter_message(response="utter_cancel_not_allowed", order_number=number)
            return []
        dispatcher.utter_message(text=replies.cancelled_text(cancelled))
        return []


def _identity(tracker: Tracker) -> Dict[str, Optional[str]]:
    return {"customer_id": customer_id(tracker), "email": tracker.get_slot("order_email")}


def _order(tracker: Tracker) -> orders.OrderView:
    return orders.find_order(shop().engine, tracker.get_slot("order_number"), **_identity(tracker))
