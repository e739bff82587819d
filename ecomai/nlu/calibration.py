"""Temperature scaling: one scalar per head that divides the logits so that a reported
confidence of 0.8 is right about 80% of the time (Guo et al. 2017). Rasa's
FallbackClassifier compares these confidences with a fixed threshold, so an
overconfident fine-tuned model would never send anything to the fallback."""

from __future__ import annotations

import torch

from ecomai.errors import InvalidInput


def fit_temperature(logits: torch.Tensor, gold: torch.Tensor, max_iter: int = 100) -> float:
    """The temperature T > 0 minimising the NLL of ``softmax(logits / T)`` on held-out data.

    Args:
        logits: [N, C] raw scores of a head on examples it was not trained on.
        gold: [N] index of the true class.
        max_iter: LBFGS iterations (the problem is one-dimensional and smooth).

    Returns:
        T, clamped to [0.05, 20] so one odd validation set cannot break a model.
    """
    if logits.ndim != 2 or logits.shape[0] != gold.shape[0] or logits.shape[0] == 0:
        raise InvalidInput("logits must be [N, C] and gold [N] with N > 0")
    logits, gold = logits.detach().float().cpu(), gold.detach().long().cpu()
    log_t = torch.zeros(1, requires_grad=True)  # optimise log T so T stays positive
    optimizer = torch.optim.LBFGS([log_t], lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), gold)
        loss.backward()
        return loss

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a one-parameter fit: extra threads only add sync overhead
    try:
        optimizer.step(closure)
    finally:
        torch.set_num_threads(threads)
    return float(log_t.exp().clamp(0.05, 20.0).item())
