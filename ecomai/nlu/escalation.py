"""When to apologise and offer a person: a pure rule over the sentiment of the
shopper's messages so far, so it is tested without Rasa and tuned in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class SentimentReading:
    """One user message's sentiment: ``label`` negative/neutral/positive, ``score`` its probability."""

    label: str
    score: float


@dataclass(frozen=True)
class EscalationRules:
    """Attributes:
    strong_anger: a negative message at least this sure is "strong anger": offer at once.
    negative_streak: this many negative messages in a row also trigger the offer.
    min_score: a negative label below this probability does not count as negative.
    """

    strong_anger: float = 0.9
    negative_streak: int = 2
    min_score: float = 0.6

    def __post_init__(self) -> None:
        if not 0 < self.min_score <= self.strong_anger <= 1 or self.negative_streak < 1:
            raise ValueError("need 0 < min_score <= strong_anger <= 1 and negative_streak >= 1")


def should_offer_human(readings: Sequence[SentimentReading], rules: EscalationRules = EscalationRules()) -> bool:
    """True when the latest message makes this streak of negative messages call for a
    person: the streak reached ``negative_streak``, or the message is strong anger.
    At most once per streak, so an upset shopper is not asked again and again."""
    streak: list[SentimentReading] = []
    for reading in readings:
        streak = [*streak, reading] if _is_negative(reading, rules) else []
    if not streak or streak[-1] is not readings[-1]:
        return False

    def triggers(position: int) -> bool:
        return streak[position].score >= rules.strong_anger or position + 1 == rules.negative_streak

    return triggers(len(streak) - 1) and not any(triggers(i) for i in range(len(streak) - 1))


def _is_negative(reading: SentimentReading, rules: EscalationRules) -> bool:
    return reading.label == "negative" and reading.score >= rules.min_score
