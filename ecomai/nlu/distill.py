"""Ensemble distillation (Hinton, Vinyals and Dean, 2015): models fine-tuned with
different seeds average their softened probabilities, and the served model learns
those soft targets beside the gold labels.

Why: averaging the probabilities of three seeds is more accurate than any one of them
(banking77: 93.96% against 93.44-93.54%, see the README), but it costs one encoder pass
per member for every message. The distilled model keeps one pass and most of the
gain. The teachers' probabilities say which other intents a message resembles,
information a one-hot label does not carry.

Pure tensor logic; ``ecomai.nlu.train`` fine-tunes the teachers and calls this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch


@dataclass(frozen=True)
class SoftTargets:
    """The teachers' mean probabilities at ``temperature`` for every text a head trains on.

    Attributes:
        rows: (task, text) -> index into ``probabilities[task]``.
        probabilities: task -> [texts, classes] tensor, rows summing to 1.
        temperature: the logits of teachers and student are divided by it before the
            softmax; above 1 it lifts the small probabilities that tell similar intents apart.
        weight: share of the soft-target term in the loss (the rest is cross-entropy).
    """

    rows: dict[tuple[str, str], int]
    probabilities: dict[str, torch.Tensor]
    temperature: float
    weight: float

    def for_batch(self, task: str, texts: Sequence[str], device: torch.device) -> torch.Tensor:
        """[len(texts), classes] targets of ``task``'s head for these training texts."""
        index = torch.tensor([self.rows[(task, text)] for text in texts])
        return self.probabilities[task][index].to(device)


def average_tempered(teacher_logits: Sequence[torch.Tensor], temperature: float) -> torch.Tensor:
    """Mean over teachers of softmax(logits / temperature); each tensor is [texts, classes]."""
    return torch.stack([torch.softmax(logits.float() / temperature, dim=-1) for logits in teacher_logits]).mean(0)


def distillation_loss(logits: torch.Tensor, gold: torch.Tensor, targets: torch.Tensor,
                      temperature: float, weight: float) -> torch.Tensor:
    """(1 - weight) x cross-entropy to the gold labels + weight x T^2 x KL(targets || student
    at T). The T^2 keeps the soft term's gradients on the scale of the hard term's
    whatever T is (Hinton et al., section 2)."""
    hard = torch.nn.functional.cross_entropy(logits, gold)
    soft = torch.nn.functional.kl_div(torch.log_softmax(logits / temperature, dim=-1), targets,
                                      reduction="batchmean") * temperature ** 2
    return (1 - weight) * hard + weight * soft
