from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from ecomai.errors import InvalidInput
from ecomai.nlu.calibration import fit_temperature
from ecomai.nlu.metrics import accuracy, expected_calibration_error, macro_f1, macro_f1_of_codes


def overconfident_logits(n: int = 3000, classes: int = 5, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits of a calibrated model (gold drawn from its own softmax), then multiplied by
    4: the same argmax, but far too sure of it, as fine-tuned networks tend to be."""
    generator = torch.Generator().manual_seed(seed)
    calibrated = torch.randn(n, classes, generator=generator) * 1.5
    gold = torch.multinomial(torch.softmax(calibrated, -1), 1, generator=generator).squeeze(1)
    return calibrated * 4.0, gold


def test_temperature_scaling_lowers_ece_on_overconfident_logits() -> None:
    logits, gold = overconfident_logits()
    temperature = fit_temperature(logits, gold)
    before = expected_calibration_error(torch.softmax(logits, -1).numpy(), gold.numpy())
    after = expected_calibration_error(torch.softmax(logits / temperature, -1).numpy(), gold.numpy())
    assert temperature == pytest.approx(4.0, rel=0.15)
    assert before > 0.15 and after < 0.05
    # the argmax, hence accuracy, is unchanged by a temperature
    assert torch.equal((logits / temperature).argmax(-1), logits.argmax(-1))


def test_temperature_rejects_bad_shapes() -> None:
    with pytest.raises(InvalidInput):
        fit_temperature(torch.zeros(3, 2), torch.zeros(4, dtype=torch.long))


def test_ece_of_a_perfectly_calibrated_set_is_zero() -> None:
    probs = np.array([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    gold = np.array([0, 1, 0, 1])  # 50% right at 0.5 confidence, 100% at 1.0
    assert expected_calibration_error(probs, gold) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([[0.9, 0.1]]), np.array([1])) == pytest.approx(0.9)


def test_metrics_match_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    gold = [str(x) for x in rng.integers(0, 6, 300)]
    predicted = [g if rng.random() < 0.6 else str(rng.integers(0, 7)) for g in gold]
    assert macro_f1(gold, predicted) == pytest.approx(f1_score(gold, predicted, average="macro"))
    assert accuracy(gold, predicted) == pytest.approx(np.mean(np.array(gold) == np.array(predicted)))
    with pytest.raises(InvalidInput):
        accuracy(["a"], [])


def test_macro_f1_of_many_rows_at_once_scores_each_row_as_scikit_learn_does() -> None:
    rng = np.random.default_rng(2)
    gold = rng.integers(0, 4, (5, 200))
    predicted = np.where(rng.random((5, 200)) < 0.5, gold, rng.integers(0, 4, (5, 200)))
    gold[0], predicted[0] = gold[0] % 3, predicted[0] % 3  # label 3 absent from row 0: left out of its mean
    scores = macro_f1_of_codes(gold, predicted, n_labels=4)
    assert scores.shape == (5,)
    for row in range(5):
        assert scores[row] == pytest.approx(f1_score(gold[row], predicted[row], average="macro"))
