"""The three order forms' validation actions, called with the tracker rasa's FormAction
sends: the form active, ``requested_slot`` set, the slot candidates as trailing SlotSets."""

from __future__ import annotations

from typing import Any, Dict, Type

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import (ValidateCancelOrderForm, ValidateOrderStatusForm, ValidateReturnForm,
                            _OrderFormValidation)
from tests.unit.actions.builders import form_tracker, responses, slot_values

FORMS = {
    "order_status_form": ValidateOrderStatusForm,
    "return_form": ValidateReturnForm,
    "cancel_order_form": ValidateCancelOrderForm,
}
# What a signed-in customer's own, eligible order leads to next in each form.
OWN_ORDER = {"order_status_form": ("EC100002", None), "return_form": ("EC100001", "return_item"),
             "cancel_order_form": ("EC100003", "cancel_confirmed")}

pytestmark = pytest.mark.usefixtures("shop_db")


async def _validate(form: str, requested: str, candidates: Dict[str, Any], domain: dict,
                    **tracker_args: Any) -> tuple[Dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await FORMS[form]().run(dispatcher, form_tracker(form, requested, candidates, **tracker_args), domain)
    return slot_values(events), dispatcher


@pytest.mark.parametrize("form, action", FORMS.items())
def test_each_validation_action_serves_a_form_of_the_domain(form: str, action: Type[_OrderFormValidation],
                                                            domain: dict) -> None:
    assert action().name() == f"validate_{form}" and action().name() in domain["actions"]
    assert action().form_name() == form  # rasa_sdk reads the form's slots through this method
    assert action().domain_slots(domain) == domain["forms"][form]["required_slots"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("customer", [None, "C0001"])
async def test_bad_order_number_is_rejected(form: str, customer: str | None, domain: dict) -> None:
    slots, dispatcher = await _validate(form, "order_number", {"order_number": "it's 12345"}, domain,
                                        customer_id=customer)

    assert responses(dispatcher) == ["utter_bad_order_number"]
    assert slots["order_number"] is None


@pytest.mark.parametrize("form", FORMS)
async def test_signed_in_customer_skips_the_email_for_an_own_order(form: str, domain: dict) -> None:
    number, next_slot = OWN_ORDER[form]
    typed = number.lower().replace("ec", "ec-")  # "ec-100002": any accepted spelling

    slots, dispatcher = await _validate(form, "order_number", {"order_number": typed}, domain, customer_id="C0001")

    assert dispatcher.messages == []
    assert slots == {"order_number": number, "requested_slot": next_slot}  # never "order_email"


@pytest.mark.parametrize("form", FORMS)
async def test_signed_in_customer_cannot_use_someone_elses_order(form: str, domain: dict) -> None:
    slots, dispatcher = await _validate(form, "order_number", {"order_number": "EC100007"}, domain,
                                        customer_id="C0001")  # EC100007 is Bob's (C0002)

    assert responses(dispatcher) == ["utter_order_not_in_account"]
    assert dispatcher.messages[0]["order_number"] == "EC100007"
    assert slots == {"order_number": None, "requested_slot": "order_number"}


async def test_someone_elses_order_gets_the_same_reply_as_an_unknown_one(domain: dict) -> None:
    _, others = await _validate("order_status_form", "order_number", {"order_number": "EC100007"}, domain,
                                customer_id="C0001")
    _, unknown = await _validate("order_status_form", "order_number", {"order_number": "EC999999"}, domain,
                                 customer_id="C0001")
    assert [{**m, "order_number": None} for m in others.messages] == \
        [{**m, "order_number": None} for m in unknown.messages]


@pytest.mark.parametrize("form", FORMS)
async def test_anonymous_order_number_waits_for_the_email(form: str, domain: dict) -> None:
    slots, dispatcher = await _validate(form, "order_number", {"order_number": "EC100007"}, domain)

    assert dispatcher.messages == []
    assert slots == {"order_number": "EC100007"}  # rasa's FormAction then asks for order_email


@pytest.mark.parametrize("form", ["order_status_form", "cancel_order_form"])
async def test_anonymous_with_the_orders_email_is_accepted(form: str, domain: dict) -> None:
    slots, dispatcher = await _validate(form, "order_email", {"order_email": "It's  Bob@Example.com"}, domain,
                                        slots={"order_number": "EC100007"})

    assert dispatcher.messages == []
    assert slots == {"order_number": "EC100007", "order_email": "bob@example.com"}


@pytest.mark.parametrize("form", FORMS)
async def test_wrong_email_resets_both_and_reads_like_an_unknown_order(form: str, domain: dict) -> None:
    wrong, wrong_dispatcher = await _validate(form, "order_email", {"order_email": "bob@example.com"}, domain,
                                              slots={"order_number": "EC100001"})  # Alice's order
    unknown, unknown_dispatcher = await _validate(form, "order_email", {"order_email": "alice@example.com"},
                                                  domain, slots={"order_number": "EC999999"})

    assert responses(wrong_dispatcher) == ["utter_order_email_mismatch"]
    assert wrong == unknown == {"order_number": None, "order_email": None}
    assert wrong_dispatcher.messages == unknown_dispatcher.messages


async def test_not_an_email_is_asked_again(domain: dict) -> None:
    slots, dispatcher = await _validate("order_status_form", "order_email", {"order_email": "alice at example"},
                                        domain, slots={"order_number": "EC100001"})

    assert responses(dispatcher) == ["utter_bad_email"]
    assert slots == {"order_email": None}


async def test_email_given_instead_of_the_order_number_is_not_an_error(domain: dict) -> None:
    """The e-mail entity fills order_email while the form still asks for the number."""
    slots, dispatcher = await _validate("order_status_form", "order_number",
                                        {"order_number": "my email is alice@example.com",
                                         "order_email": "alice@example.com"}, domain)

    assert responses(dispatcher) == ["utter_bad_order_number"]
    assert slots == {"order_number": None, "order_email": None}


@pytest.mark.parametrize("email, accepted", [("alice@example.com", True), ("bob@example.com", False)])
async def test_number_and_email_in_one_message_are_checked_together(email: str, accepted: bool,
                                                                     domain: dict) -> None:
    slots, dispatcher = await _validate("order_status_form", "order_number",
                                        {"order_number": "EC100001", "order_email": email}, domain)

    if accepted:
        assert dispatcher.messages == [] and slots == {"order_number": "EC100001", "order_email": email}
    else:
        assert responses(dispatcher) == ["utter_order_email_mismatch"]
        assert slots == {"order_number": None, "order_email": None}


async def test_a_new_number_is_checked_against_the_email_already_given(domain: dict) -> None:
    slots, dispatcher = await _validate("order_status_form", "order_number", {"order_number": "EC100007"}, domain,
                                        slots={"order_email": "alice@example.com"})  # Bob's order

    assert responses(dispatcher) == ["utter_order_email_mismatch"]
    assert slots == {"order_number": None, "order_email": None}


@pytest.mark.parametrize("number, refusal", [
    ("EC100004", "window_closed"), ("EC100002", "not_delivered"), ("EC100005", "cancelled")])
async def test_return_form_refuses_an_order_that_cannot_be_returned(number: str, refusal: str,
                                                                    domain: dict) -> None:
    slots, dispatcher = await _validate("return_form", "order_number", {"order_number": number}, domain,
                                        customer_id="C0001")

    assert responses(dispatcher) == [f"utter_return_not_allowed_{refusal}"]
    assert dispatcher.messages[0]["order_number"] == number
    assert slots == {"order_number": None, "requested_slot": "order_number"}


async def test_anonymous_return_refusal_keeps_the_verified_email(domain: dict) -> None:
    slots, dispatcher = await _validate("return_form", "order_email", {"order_email": "alice@example.com"}, domain,
                                        slots={"order_number": "EC100004"})

    assert responses(dispatcher) == ["utter_return_not_allowed_window_closed"]
    assert slots == {"order_number": None, "order_email": "alice@example.com"}


@pytest.mark.parametrize("said, sku", [
    ("the running shoes", "SKU-00001"), ("Featherlite", "SKU-00001"), ("the t-shirt", "SKU-00055"),
    ("sku-00055", "SKU-00055")])
async def test_return_item_is_matched_to_an_order_line(said: str, sku: str, domain: dict) -> None:
    slots, dispatcher = await _validate("return_form", "return_item", {"return_item": said}, domain,
                                        customer_id="C0001", slots={"order_number": "EC100001"})

    assert dispatcher.messages == []
    assert slots == {"return_item": sku, "requested_slot": "return_reason"}


@pytest.mark.parametrize("said", ["a toaster", "SKU-00002", "it"])
async def test_unmatched_return_item_is_asked_again(said: str, domain: dict) -> None:
    slots, dispatcher = await _validate("return_form", "return_item", {"return_item": said}, domain,
                                        customer_id="C0001", slots={"order_number": "EC100001"})

    assert responses(dispatcher) == ["utter_item_not_in_order"]
    assert dispatcher.messages[0]["order_number"] == "EC100001"
    assert slots == {"return_item": None, "requested_slot": "return_item"}


async def test_return_reason_is_tidied_and_bounded(domain: dict) -> None:
    slots, _ = await _validate("return_form", "return_reason", {"return_reason": "  too\n small " + "x" * 900},
                               domain, customer_id="C0001",
                               slots={"order_number": "EC100001", "return_item": "SKU-00001"})

    assert slots["return_reason"].startswith("too small x") and len(slots["return_reason"]) == 500
    assert slots["requested_slot"] is None  # every slot filled: the form completes
