"""The sentiment data we ship keeps the promises data/sentiment/README.md makes."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ecomai.nlu.data import SENTIMENT_LABELS, read_sentiment_data, sentiment_files

SENTIMENT_DIR = Path(__file__).resolve().parents[3] / "data" / "sentiment"


def test_at_least_1500_messages_balanced_across_the_classes() -> None:
    counts = Counter(label for _, label in read_sentiment_data(SENTIMENT_DIR))
    assert set(counts) == set(SENTIMENT_LABELS) and sum(counts.values()) >= 1500
    assert max(counts.values()) <= 1.15 * min(counts.values()), counts


def test_no_message_appears_twice_in_any_file() -> None:
    normalised = Counter(" ".join(text.lower().split()) for text, _ in read_sentiment_data(SENTIMENT_DIR))
    assert [text for text, count in normalised.items() if count > 1] == []


def test_intensity_is_1_to_3_and_neutral_is_always_1() -> None:
    for path in sentiment_files(SENTIMENT_DIR):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert row["intensity"] in {"1", "2", "3"}, (path.name, row)
                assert row["label"] != "neutral" or row["intensity"] == "1", (path.name, row)
