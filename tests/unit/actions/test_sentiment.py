"""The mood tracker: apologises and offers a person at the right moment, once."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.sentiment import ValidateSlotMappings, sentiment_history
from ecomai.nlu.escalation import SentimentReading


def tracker_with(*sentiments: tuple[str, float] | None) -> Tracker:
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
    for i, sentiment in enumerate(sentiments):
        parse: dict[str, Any] = {"text": f"m{i}", "intent": {"name": "order_status", "confidence": 0.9}}
        if sentiment is not None:
            parse["sentiment"] = {"label": sentiment[0], "score": sentiment[1]}
        events += [{"event": "user", "text": f"m{i}", "parse_data": parse}, {"event": "bot", "text": "ok"}]
    latest = events[-2]["parse_data"] if sentiments else {}
    return Tracker("s", {}, latest, events, False, None, {}, "action_listen")


async def run(tracker: Tracker) -> tuple[list[dict], list[str | None]]:
    dispatcher = CollectingDispatcher()
    domain = {"slots": {"shopper_upset": {"type": "bool", "mappings": [{"type": "custom"}]}}}
    events = await ValidateSlotMappings().run(dispatcher, tracker, domain)
    return events, [m.get("response") for m in dispatcher.messages]


def test_history_reads_only_user_messages_with_sentiment() -> None:
    tracker = tracker_with(("neutral", 0.8), None, ("negative", 0.7))
    assert sentiment_history(tracker) == [SentimentReading("neutral", 0.8), SentimentReading("negative", 0.7)]


async def test_strong_anger_gets_an_apology_and_the_offer() -> None:
    events, said = await run(tracker_with(("neutral", 0.9), ("negative", 0.97)))
    assert said == ["utter_sorry_offer_human"]
    assert events == [{"event": "slot", "timestamp": None, "name": "shopper_upset", "value": True}]


async def test_calm_or_already_offered_says_nothing() -> None:
    for history in ((("neutral", 0.9),), (("negative", 0.97), ("negative", 0.97))):
        events, said = await run(tracker_with(*history))
        assert said == [] and events[0]["value"] is False
