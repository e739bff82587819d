"""How sure a benchmark's difference between two classifiers is: a paired bootstrap over
the test lines (Koehn 2004; Berg-Kirkpatrick et al. 2012). Both models are scored on the
same resampled lines each time, so the interval reflects which lines happen to be in the
test set, not the models' training noise (that takes seeds; see the README)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ecomai.errors import InvalidInput
from ecomai.nlu.metrics import label_codes, macro_f1_of_codes

RESAMPLES = 2000
CONFIDENCE = 0.95
_BATCH = 100  # resamples per numpy call: a few MB at a time, not hundreds for all of them at once
METHOD = "paired bootstrap over the lines, percentile"
_SHOWN = {"accuracy": "accuracy", "macro_f1": "macro-F1"}

# metric name -> score along the last axis of integer-coded (gold, predicted, number of labels)
_METRICS: dict[str, Callable[[np.ndarray, np.ndarray, int], np.ndarray]] = {
    "accuracy": lambda gold, predicted, n_labels: (gold == predicted).mean(axis=-1),
    "macro_f1": macro_f1_of_codes,
}


def differences(gold: Sequence[str], ours: Sequence[str], peer: Sequence[str], resamples: int = RESAMPLES,
                seed: int = 0) -> dict[str, Any]:
    """Accuracy and macro-F1 of ``ours`` minus those of ``peer`` on the same lines, in
    points, each with a 95% percentile confidence interval from ``resamples`` paired
    bootstrap resamples (the same resamples for both metrics).

    Returns:
        ``{"accuracy": {"points", "ci95": [low, high]}, "macro_f1": {...}, "resamples", "method"}``;
        the same seed gives the same intervals.

    Raises:
        InvalidInput: no lines, or runs of different lengths.
    """
    if not len(gold) == len(ours) == len(peer) or not gold:
        raise InvalidInput(f"need one label per line from each run, got {len(gold)}, {len(ours)} and {len(peer)}")
    lines, n_labels = label_codes(gold, ours, peer)
    result: dict[str, Any] = {name: _difference(metric, lines, n_labels, resamples, seed)
                              for name, metric in _METRICS.items()}
    return {**result, "resamples": resamples, "method": METHOD}


def _difference(metric: Callable[[np.ndarray, np.ndarray, int], np.ndarray], lines: Sequence[np.ndarray],
                n_labels: int, resamples: int, seed: int) -> dict[str, Any]:
    from scipy.stats import bootstrap  # imported here: `bench nlu` on the GPU machine has no peer and needs no scipy

    def points(gold_lines: np.ndarray, our_lines: np.ndarray, peer_lines: np.ndarray, axis: int = -1) -> np.ndarray:
        # scipy passes axis=-1, the line axis, which is where the metrics count
        return 100 * (metric(gold_lines, our_lines, n_labels) - metric(gold_lines, peer_lines, n_labels))

    interval = bootstrap(lines, points, n_resamples=resamples, paired=True, vectorized=True,
                         confidence_level=CONFIDENCE, method="percentile", batch=_BATCH,
                         random_state=np.random.default_rng(seed)).confidence_interval
    return {"points": round(float(points(*lines)), 2),
            "ci95": [round(float(interval.low), 2), round(float(interval.high), 2)]}


def format_difference(peer: str, metric: str, result: dict[str, Any]) -> str:
    """One table line: ``ours - PEER, METRIC: +x.xx points, 95% CI +a to +b (method)``."""
    difference = result[metric]
    return (f"ours - {peer}, {_SHOWN[metric]}: {difference['points']:+.2f} points, 95% CI "
            f"{difference['ci95'][0]:+.2f} to {difference['ci95'][1]:+.2f} ({result['method']}, "
            f"{result['resamples']} resamples)")
