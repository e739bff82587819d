"""Acting on the shopper's mood: after every user message, Rasa's slot extraction runs
this action (a custom slot mapping of ``shopper_upset``), which apologises and offers a
person when ``ecomai.nlu.escalation`` says so. The conversation then goes on as usual:
the shopper can take the offer (a button) or carry on with what they were doing."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ecomai.nlu.escalation import SentimentReading, should_offer_human


def sentiment_history(tracker: Tracker) -> List[SentimentReading]:
    """The sentiment our NLU component attached to each user message, oldest first."""
    readings = []
    for event in tracker.events:
        sentiment = (event.get("parse_data") or {}).get("sentiment") if event.get("event") == "user" else None
        if isinstance(sentiment, dict) and "label" in sentiment and "score" in sentiment:
            readings.append(SentimentReading(str(sentiment["label"]), float(sentiment["score"])))
    return readings


class ActionTrackSentiment(Action):
    def name(self) -> Text:
        return "action_track_sentiment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        upset = should_offer_human(sentiment_history(tracker))
        if upset:
            dispatcher.utter_message(response="utter_sorry_offer_human")
        return [SlotSet("shopper_upset", upset)]
