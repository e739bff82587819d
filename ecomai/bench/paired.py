"""How sure a benchmark's difference between two classifiers is: a paired bootstrap over
the test lines (Koehn 2004; Berg-Kirkpatrick et al. 2012). Both models are scored on the
same resampled lines each time, so the interval reflects which lines happen to be in the
test set, not the models' training noise (that takes seeds; see the README)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import bootstrap

from ecomai.errors import InvalidInput
from ecomai.nlu.metrics import macro_f1_of_codes

RESAMPLES = 2000
CONFIDENCE = 0.95
_BATCH = 100  # resamples per numpy call: a few MB at a time, not hundreds for all of them at once


def macro_f1_difference(gold: Sequence[str], ours: Sequence[str], peer: Sequence[str],
                        resamples: int = RESAMPLES, seed: int = 0) -> dict[str, Any]:
    """Macro-F1 of ``ours`` minus that of ``peer`` on the same lines, in points, with a
    95% percentile confidence interval from ``resamples`` paired bootstrap resamples.

    Returns:
        ``{"points", "ci95": [low, high], "resamples", "method"}``; the same seed gives the
        same interval.

    Raises:
        InvalidInput: no lines, or runs of different lengths.
    """
    if not len(gold) == len(ours) == len(peer) or not gold:
        raise InvalidInput(f"need one label per line from each run, got {len(gold)}, {len(ours)} and {len(peer)}")
    labels = {label: code for code, label in enumerate(sorted(set(gold) | set(ours) | set(peer)))}
    gold_codes, our_codes, peer_codes = (np.array([labels[label] for label in run]) for run in (gold, ours, peer))

    def points(gold_lines: np.ndarray, our_lines: np.ndarray, peer_lines: np.ndarray, axis: int = -1) -> np.ndarray:
        # scipy passes axis=-1, the line axis, which is where macro_f1_of_codes counts
        return 100 * (macro_f1_of_codes(gold_lines, our_lines, len(labels))
                      - macro_f1_of_codes(gold_lines, peer_lines, len(labels)))

    interval = bootstrap((gold_codes, our_codes, peer_codes), points, n_resamples=resamples, paired=True,
                         vectorized=True, confidence_level=CONFIDENCE, method="percentile", batch=_BATCH,
                         random_state=np.random.default_rng(seed)).confidence_interval
    return {"points": round(float(points(gold_codes, our_codes, peer_codes)), 2),
            "ci95": [round(float(interval.low), 2), round(float(interval.high), 2)],
            "resamples": resamples, "method": "paired bootstrap over the lines, percentile"}
