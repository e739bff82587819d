from __future__ import annotations

import pytest
import torch

from ecomai.nlu.distill import SoftTargets, average_tempered, distillation_loss


def test_average_tempered_is_a_distribution_softened_by_temperature() -> None:
    teachers = [torch.tensor([[4.0, 0.0, 0.0]]), torch.tensor([[0.0, 4.0, 0.0]])]
    sharp, soft = average_tempered(teachers, 1.0), average_tempered(teachers, 4.0)
    assert torch.allclose(sharp.sum(-1), torch.ones(1)) and torch.allclose(soft.sum(-1), torch.ones(1))
    assert sharp[0, 0] == pytest.approx(sharp[0, 1])  # two teachers that disagree split the mass
    assert soft[0, 2] > sharp[0, 2]  # a higher temperature lifts the class both teachers rank low


def test_distillation_loss_mixes_cross_entropy_and_teacher_agreement() -> None:
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.2]])
    gold = torch.tensor([0, 1])
    cross_entropy = torch.nn.functional.cross_entropy(logits, gold)
    agreeing = torch.softmax(logits / 3.0, dim=-1)  # the student already matches the teachers
    assert distillation_loss(logits, gold, agreeing, 3.0, 0.5) == pytest.approx(0.5 * cross_entropy.item(), abs=1e-6)
    disagreeing = torch.softmax(-logits / 3.0, dim=-1)
    assert distillation_loss(logits, gold, disagreeing, 3.0, 0.5) > 0.5 * cross_entropy + 0.1
    assert distillation_loss(logits, gold, disagreeing, 3.0, 1.0) > 0.1  # soft term only


def test_soft_targets_look_up_rows_per_task_and_text() -> None:
    targets = SoftTargets(rows={("intent", "a"): 0, ("intent", "b"): 1, ("sentiment", "a"): 0},
                          probabilities={"intent": torch.tensor([[0.9, 0.1], [0.2, 0.8]]),
                                         "sentiment": torch.tensor([[0.1, 0.3, 0.6]])},
                          temperature=2.0, weight=0.5)
    rows = targets.for_batch("intent", ["b", "a"], torch.device("cpu"))
    assert torch.equal(rows, torch.tensor([[0.2, 0.8], [0.9, 0.1]]))
    assert targets.for_batch("sentiment", ["a"], torch.device("cpu")).shape == (1, 3)
    with pytest.raises(KeyError):
        targets.for_batch("intent", ["never seen"], torch.device("cpu"))
