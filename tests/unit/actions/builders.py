"""Trackers shaped the way rasa sends them to the action server, and readers for what
an action answered; plain functions so each test states its own conversation."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_message(text: str = "", intent: str = "inform", entities: Optional[List[Dict[str, Any]]] = None,
                 customer_id: Optional[str] = None) -> Dict[str, Any]:
    """``latest_message`` as rasa fills it; only our channel sets ``metadata.customer_id``."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": {"customer_id": customer_id} if customer_id else {},
    }


def entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value), "extractor": "DIETClassifier"}


def make_tracker(text: str = "", intent: str = "inform", *, entities: Optional[List[Dict[str, Any]]] = None,
                 customer_id: Optional[str] = None, slots: Optional[Dict[str, Any]] = None,
                 sender_id: str = "session-1") -> Tracker:
    """A tracker right after a user turn, outside any form (the shape single-turn actions see)."""
    message = user_message(text, intent, entities, customer_id)
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": message, "metadata": message["metadata"]}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (slots or {}).items()]
    return Tracker(sender_id, dict(slots or {}), message, events, False, None, {}, "action_listen")


def form_tracker(form: str, requested_slot: str, candidates: Dict[str, Any], *, text: str = "",
                 intent: str = "inform", customer_id: Optional[str] = None,
                 slots: Optional[Dict[str, Any]] = None) -> Tracker:
    """The tracker rasa's FormAction sends to ``validate_<form>``: the form active, the
    slot it asked for, the user's answer, then one SlotSet per slot candidate at the very
    end (``Tracker.slots_to_validate`` reads exactly that trailing run), with the
    candidates already applied to ``slots``."""
    message = user_message(text, intent, None, customer_id)
    filled = {**(slots or {}), "requested_slot": requested_slot}
    events = [{"event": "active_loop", "name": form},
              *({"event": "slot", "name": name, "value": value} for name, value in filled.items()),
              {"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": message, "metadata": message["metadata"]},
              *({"event": "slot", "name": name, "value": value} for name, value in candidates.items())]
    return Tracker("session-1", {**filled, **candidates}, message, events, False, None,
                   {"name": form, "is_interrupted": False, "rejected": False}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> List[Optional[str]]:
    """The domain responses the action asked for, in order (None for plain text)."""
    return [message.get("response") for message in dispatcher.messages]


def texts(dispatcher: CollectingDispatcher) -> List[str]:
    return [message["text"] for message in dispatcher.messages if message.get("text")]


def slot_values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The SlotSet events an action returned, as a dict (later events win, as in rasa)."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
