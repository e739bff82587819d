from __future__ import annotations

import numpy as np
import pytest

from ecomai.bench.paired import macro_f1_difference
from ecomai.errors import InvalidInput
from ecomai.nlu.metrics import macro_f1

LABELS = np.array(["negative", "neutral", "positive"])


def noisy_copy(gold: list[str], right: float, rng: np.random.Generator) -> list[str]:
    """``gold`` with about ``1 - right`` of the labels replaced by random ones."""
    return [label if rng.random() < right else str(rng.choice(LABELS)) for label in gold]


def test_a_clearly_better_model_gets_an_interval_above_zero_around_its_difference() -> None:
    rng = np.random.default_rng(0)
    gold = list(rng.choice(LABELS, 600))
    ours, peer = noisy_copy(gold, 0.9, rng), noisy_copy(gold, 0.5, rng)
    difference = macro_f1_difference(gold, ours, peer)
    assert difference["points"] == pytest.approx(100 * (macro_f1(gold, ours) - macro_f1(gold, peer)), abs=0.01)
    low, high = difference["ci95"]
    assert 0 < low < difference["points"] < high


def test_two_equally_good_models_get_an_interval_that_spans_zero() -> None:
    rng = np.random.default_rng(1)
    gold = list(rng.choice(LABELS, 600))
    difference = macro_f1_difference(gold, noisy_copy(gold, 0.7, rng), noisy_copy(gold, 0.7, rng))
    low, high = difference["ci95"]
    assert low < 0 < high
    assert high - low < 15  # 600 lines pin a macro-F1 difference to within a few points


def test_the_same_seed_gives_the_same_interval_and_identical_runs_differ_by_nothing() -> None:
    rng = np.random.default_rng(2)
    gold = list(rng.choice(LABELS, 300))
    ours, peer = noisy_copy(gold, 0.8, rng), noisy_copy(gold, 0.6, rng)
    assert macro_f1_difference(gold, ours, peer, seed=3) == macro_f1_difference(gold, ours, peer, seed=3)
    assert macro_f1_difference(gold, ours, ours)["ci95"] == [0.0, 0.0]


@pytest.mark.parametrize(("gold", "ours", "peer"), [([], [], []), (["a"], ["a"], []), (["a", "b"], ["a"], ["a", "b"])])
def test_runs_that_do_not_label_every_line_are_refused(gold: list[str], ours: list[str], peer: list[str]) -> None:
    with pytest.raises(InvalidInput, match="one label per line"):
        macro_f1_difference(gold, ours, peer)
