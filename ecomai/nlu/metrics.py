"""Classification metrics in plain numpy, shared by training reports and benchmarks
(the GPU machine has no scikit-learn; the tests check these against it)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ecomai.errors import InvalidInput


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of ``predicted`` labels equal to ``gold`` (0..1)."""
    _check_lengths(gold, predicted)
    return float(np.mean([g == p for g, p in zip(gold, predicted)]))


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean of per-label F1 over every label in ``gold`` or ``predicted``
    (scikit-learn's ``f1_score(average="macro")``; a label never predicted scores 0)."""
    _check_lengths(gold, predicted)
    (gold_codes, predicted_codes), n_labels = label_codes(gold, predicted)
    return float(macro_f1_of_codes(gold_codes, predicted_codes, n_labels))


def label_codes(*runs: Sequence[str]) -> tuple[list[np.ndarray], int]:
    """Each run of labels as integer codes (0 .. n_labels - 1, in the labels' sorted
    order, shared by all runs) and n_labels, for :func:`macro_f1_of_codes`."""
    codes = {label: code for code, label in enumerate(sorted(set().union(*runs)))}
    return [np.array([codes[label] for label in run]) for run in runs], len(codes)


def macro_f1_of_codes(gold: np.ndarray, predicted: np.ndarray, n_labels: int) -> np.ndarray:
    """:func:`macro_f1` along the last axis of integer-coded labels (0 .. n_labels - 1),
    once per index of the leading axes, so that thousands of bootstrap resamples score
    in one numpy call. A label absent from both gold and predicted in a row is left out
    of that row's mean, as scikit-learn leaves it out."""
    codes = np.arange(n_labels).reshape((n_labels,) + (1,) * gold.ndim)
    is_gold, is_predicted = gold == codes, predicted == codes
    true_positives = (is_gold & is_predicted).sum(axis=-1)
    errors = (is_gold != is_predicted).sum(axis=-1)
    denominator = 2 * true_positives + errors
    present = denominator > 0
    f1 = np.where(present, 2 * true_positives / np.maximum(denominator, 1), 0.0)
    return f1.sum(axis=0) / present.sum(axis=0)


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, bins: int = 15) -> float:
    """ECE of class probabilities: see :func:`top_label_calibration_error`.

    Args:
        probs: [N, C] class probabilities.
        gold: [N] index of the true class.
        bins: number of confidence bins over (0, 1].
    """
    if probs.ndim != 2 or len(probs) != len(gold) or len(gold) == 0:
        raise InvalidInput("probs must be [N, C] and gold [N] with N > 0")
    return top_label_calibration_error(probs.max(axis=1), probs.argmax(axis=1) == gold, bins)


def top_label_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """ECE: |accuracy - confidence| of the top label, averaged over equal-width confidence
    bins weighted by their share of examples (Guo et al. 2017). Takes only the top label's
    confidence, so it also scores classifiers that report a top-k ranking (Rasa's).

    Args:
        confidence: [N] reported probability of each predicted label.
        correct: [N] whether that label was right.
        bins: number of confidence bins over (0, 1].
    """
    if confidence.ndim != 1 or confidence.shape != correct.shape or len(confidence) == 0:
        raise InvalidInput("confidence and correct must both be [N] with N > 0")
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(ece)


def _check_lengths(gold: Sequence[str], predicted: Sequence[str]) -> None:
    if len(gold) != len(predicted) or not gold:
        raise InvalidInput(f"need equally many gold and predicted labels, got {len(gold)} and {len(predicted)}")
