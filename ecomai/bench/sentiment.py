"""`ecomai bench sentiment`: our sentiment head against VADER on the same lines.

The data is VADER's own human-rated Amazon review snippets (``id<TAB>mean<TAB>text``,
mean rating in [-4, 4]), mapped to three classes: > 0.5 positive, < -0.5 negative,
otherwise neutral. VADER gets its usual compound-score thresholds (+-0.05). The gap
between the two comes with a paired-bootstrap interval (``ecomai.bench.paired``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ecomai.bench.paired import differences, format_difference
from ecomai.errors import InvalidInput
from ecomai.nlu.metrics import accuracy, macro_f1

OURS = "ecomai sentiment head"
PEER = "VADER (vaderSentiment)"
VADER_THRESHOLD = 0.05


@dataclass(frozen=True)
class RatedLine:
    """One rated snippet: ``mean`` human rating in [-4, 4] and its 3-class ``label``."""

    text: str
    mean: float
    label: str


def label_for_rating(mean: float, threshold: float = 0.5) -> str:
    """negative below ``-threshold``, positive above ``threshold``, else neutral."""
    if mean > threshold:
        return "positive"
    if mean < -threshold:
        return "negative"
    return "neutral"


def parse_rated_lines(lines: Sequence[str]) -> list[RatedLine]:
    """Parse ``id<TAB>mean<TAB>text`` lines (blank lines skipped).

    Raises:
        InvalidInput: a line without three tab-separated fields or with a non-numeric mean.
    """
    parsed = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t", 2)
        try:
            mean = float(parts[1])
            text = parts[2].strip()
        except (IndexError, ValueError):
            raise InvalidInput(f"line {number}: expected id<TAB>mean<TAB>text") from None
        parsed.append(RatedLine(text, mean, label_for_rating(mean)))
    return parsed


def vader_label(compound: float) -> str:
    """VADER's documented reading of its compound score."""
    return label_for_rating(compound, VADER_THRESHOLD)


def score(gold: Sequence[str], predicted: Sequence[str], seconds: float) -> dict[str, Any]:
    """Accuracy, macro-F1 and throughput of one model on the lines."""
    return {"accuracy": round(accuracy(gold, predicted), 4), "macro_f1": round(macro_f1(gold, predicted), 4),
            "messages_per_s": round(len(gold) / seconds, 1) if seconds > 0 else None,
            "predicted_counts": {label: predicted.count(label) for label in sorted(set(predicted))}}


def timed(classify: Callable[[list[str]], list[str]], texts: list[str]) -> tuple[list[str], float]:
    """``classify(texts)`` and the wall seconds it took."""
    started = time.perf_counter()
    labels = classify(texts)
    return labels, time.perf_counter() - started


def run_sentiment_bench(path: Path, ours: Callable[[list[str]], list[str]], source: str) -> dict[str, Any]:
    """Score ``ours`` and VADER on the rated lines of ``path``.

    Args:
        path: VADER's ``amazonReviewSnippets_GroundTruth.txt`` or a file of the same shape.
        ours: texts -> our sentiment labels.
        source: where our model came from (shown in the result).
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lines = parse_rated_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())
    texts, gold = [line.text for line in lines], [line.label for line in lines]
    analyzer = SentimentIntensityAnalyzer()
    our_labels, our_seconds = timed(ours, texts)
    vader_labels, vader_seconds = timed(
        lambda batch: [vader_label(analyzer.polarity_scores(text)["compound"]) for text in batch], texts)
    return {
        "config": {"data": str(path), "lines": len(lines),
                   "gold_counts": {label: gold.count(label) for label in sorted(set(gold))}, "ours": source},
        "results": {OURS: score(gold, our_labels, our_seconds), PEER: score(gold, vader_labels, vader_seconds)},
        "ours_minus_peer": differences(gold, our_labels, vader_labels),
    }


def format_table(result: dict[str, Any]) -> str:
    header = f"{'model':<26}{'accuracy':>10}{'macro-F1':>10}{'msg/s':>10}"
    rows = [header, "-" * len(header)]
    for name, row in result["results"].items():
        rows.append(f"{name:<26}{row['accuracy'] * 100:>9.2f}%{row['macro_f1'] * 100:>10.2f}"
                    f"{row['messages_per_s'] or 0:>10.0f}")
    rows.append(format_difference("VADER", "macro_f1", result["ours_minus_peer"]))
    config = result["config"]
    rows.append(f"{config['lines']} lines {config['gold_counts']}; ours: {config['ours']}")
    return "\n".join(rows)
