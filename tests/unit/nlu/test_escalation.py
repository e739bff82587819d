from __future__ import annotations

import pytest

from ecomai.nlu.escalation import EscalationRules, SentimentReading, should_offer_human

NEG, STRONG, NEUTRAL, UNSURE = (SentimentReading("negative", 0.7), SentimentReading("negative", 0.95),
                                SentimentReading("neutral", 0.8), SentimentReading("negative", 0.4))


@pytest.mark.parametrize(
    ("history", "offer"),
    [
        ([], False),
        ([NEUTRAL], False),
        ([NEG], False),  # one mildly negative message: keep helping
        ([STRONG], True),  # strong anger once
        ([NEG, NEG], True),  # repeated negative sentiment
        ([NEG, NEUTRAL, NEG], False),  # not in a row
        ([NEG, NEG, NEG], False),  # already offered in this streak
        ([STRONG, STRONG], False),  # once per streak
        ([NEG, NEG, NEUTRAL, NEG, NEG], True),  # a new streak may trigger again
        ([NEG, UNSURE], False),  # an unsure negative does not count
        ([NEG, NEG, NEUTRAL], False),  # the latest message is calm
    ],
)
def test_offer_rules(history: list[SentimentReading], offer: bool) -> None:
    assert should_offer_human(history) is offer


def test_rules_are_checked() -> None:
    with pytest.raises(ValueError):
        EscalationRules(strong_anger=0.5, min_score=0.6)
    assert should_offer_human([NEG], EscalationRules(negative_streak=1))
