from __future__ import annotations

import numpy as np
import pytest

from ecomai.bench.paired import differences, format_difference
from ecomai.errors import InvalidInput
from ecomai.nlu.metrics import accuracy, macro_f1

LABELS = np.array(["negative", "neutral", "positive"])


def noisy_copy(gold: list[str], right: float, rng: np.random.Generator) -> list[str]:
    """``gold`` with about ``1 - right`` of the labels replaced by random ones."""
    return [label if rng.random() < right else str(rng.choice(LABELS)) for label in gold]


def test_a_clearly_better_model_gets_intervals_above_zero_around_its_differences() -> None:
    rng = np.random.default_rng(0)
    gold = list(rng.choice(LABELS, 600))
    ours, peer = noisy_copy(gold, 0.9, rng), noisy_copy(gold, 0.5, rng)
    result = differences(gold, ours, peer)
    assert result["macro_f1"]["points"] == pytest.approx(100 * (macro_f1(gold, ours) - macro_f1(gold, peer)), abs=0.01)
    assert result["accuracy"]["points"] == pytest.approx(100 * (accuracy(gold, ours) - accuracy(gold, peer)), abs=0.01)
    for metric in ("accuracy", "macro_f1"):
        low, high = result[metric]["ci95"]
        assert 0 < low < result[metric]["points"] < high
    line = format_difference("VADER", "macro_f1", result)
    assert line.startswith(f"ours - VADER, macro-F1: {result['macro_f1']['points']:+.2f} points, 95% CI ")


def test_two_equally_good_models_get_an_interval_that_spans_zero() -> None:
    rng = np.random.default_rng(1)
    gold = list(rng.choice(LABELS, 600))
    result = differences(gold, noisy_copy(gold, 0.7, rng), noisy_copy(gold, 0.7, rng))
    for metric in ("accuracy", "macro_f1"):
        low, high = result[metric]["ci95"]
        assert low < 0 < high
        assert high - low < 15  # 600 lines pin a difference to within a few points


def test_the_same_seed_gives_the_same_interval_and_identical_runs_differ_by_nothing() -> None:
    rng = np.random.default_rng(2)
    gold = list(rng.choice(LABELS, 300))
    ours, peer = noisy_copy(gold, 0.8, rng), noisy_copy(gold, 0.6, rng)
    assert differences(gold, ours, peer, seed=3) == differences(gold, ours, peer, seed=3)
    same = differences(gold, ours, ours)
    assert same["accuracy"] == same["macro_f1"] == {"points": 0.0, "ci95": [0.0, 0.0]}


@pytest.mark.parametrize(("gold", "ours", "peer"), [([], [], []), (["a"], ["a"], []), (["a", "b"], ["a"], ["a", "b"])])
def test_runs_that_do_not_label_every_line_are_refused(gold: list[str], ours: list[str], peer: list[str]) -> None:
    with pytest.raises(InvalidInput, match="one label per line"):
        differences(gold, ours, peer)
