"""The actions and bot/domain.yml agree: every response an action asks for exists and
gets its placeholders, and the action server serves exactly the domain's actions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from rasa_sdk.executor import ActionExecutor

from ecomai.errors import ReturnNotAllowed
from ecomai.store.orders import return_refusal
from tests.unit.actions.references import ResponseUse, response_uses, used_by_actions

STATUSES = ("pending", "processing", "shipped", "out_for_delivery", "delivered", "cancelled", "returned")


def _placeholders(domain: dict, response: str) -> set[str]:
    return {name for variant in domain["responses"][response]
            for name in re.findall(r"{(\w+)}", variant.get("text", ""))}


def test_actions_ask_for_responses_at_all() -> None:
    uses = response_uses()
    assert {"utter_error_store_unavailable", "utter_bad_order_number"} <= {u.name for u in uses}
    assert "utter_return_not_allowed_" in {u.name for u in uses if u.is_prefix}


@pytest.mark.parametrize("use", response_uses(), ids=lambda use: use.where)
def test_response_exists_and_gets_its_placeholders(use: ResponseUse, domain: dict) -> None:
    names = ([r for r in domain["responses"] if r.startswith(use.name)] if use.is_prefix
             else [use.name] if use.name in domain["responses"] else [])
    assert names, f"{use.where}: {use.name!r} is not a response in bot/domain.yml"
    for name in names:
        # A slot may be empty by then (forms reset it), so the action passes the value itself.
        assert _placeholders(domain, name) <= use.keywords, f"{use.where}: {name} needs {_placeholders(domain, name)}"


def test_every_return_refusal_has_a_response(domain: dict) -> None:
    today = date(2024, 6, 1)
    reasons = {return_refusal(status, delivered_on, 30, today)
               for status in STATUSES for delivered_on in (None, today - timedelta(days=5), today - timedelta(60))}
    reasons.discard(None)
    assert reasons == {"cancelled", "already_returned", "not_delivered", "window_closed"}
    for reason in reasons:
        assert f"utter_return_not_allowed_{ReturnNotAllowed(reason).reason}" in domain["responses"]


def test_form_questions_exist(domain: dict) -> None:
    """A form asks ``utter_ask_<slot>`` (or ``action_ask_<slot>``) for each slot it needs."""
    for form, spec in domain["forms"].items():
        for slot in spec["required_slots"]:
            assert slot in domain["slots"], (form, slot)
            assert f"utter_ask_{slot}" in domain["responses"] or f"action_ask_{slot}" in domain["actions"], slot


def test_the_action_server_serves_exactly_the_domains_actions(domain: dict) -> None:
    """Registered the way ``rasa run actions --actions actions`` does: every concrete
    Action subclass in the package is instantiated and registered under ``name()``."""
    executor = ActionExecutor()
    executor.register_package("actions")

    assert set(executor.actions) == set(domain["actions"])


def test_used_by_actions_knows_prefixes_and_form_questions(domain: dict) -> None:
    assert used_by_actions("utter_return_not_allowed_window_closed", domain)
    assert used_by_actions("utter_ask_order_email", domain)
    assert not used_by_actions("utter_greet", domain)
