"""Acting on the shopper's mood. After every user message Rasa's slot extraction runs
``action_validate_slot_mappings``; it fills ``shopper_upset`` (a custom slot mapping)
and apologises and offers a person when ``ecomai.nlu.escalation`` says so. Rasa keeps
bot messages only from this action of the slot-extraction step (a custom mapping's own
``action:`` may set slots but its messages are dropped). The conversation then goes on
as usual: the shopper can take the offer (a button) or carry on."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from ecomai.nlu.escalation import SentimentReading, should_offer_human


def sentiment_history(tracker: Tracker) -> List[SentimentReading]:
    """The sentiment our NLU component attached to each user message, oldest first."""
    readings = []
    for event in tracker.events:
        sentiment = (event.get("parse_data") or {}).get("sentiment") if event.get("event") == "user" else None
        if isinstance(sentiment, dict) and "label" in sentiment and "score" in sentiment:
            readings.append(SentimentReading(str(sentiment["label"]), float(sentiment["score"])))
    return readings


class ValidateSlotMappings(ValidationAction):
    async def extract_shopper_upset(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        upset = should_offer_human(sentiment_history(tracker))
        if upset:
            dispatcher.utter_message(response="utter_sorry_offer_human")
        return {"shopper_upset": upset}
