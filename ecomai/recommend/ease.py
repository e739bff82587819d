"""EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): our collaborative filter.

Why this model: a shop has hundreds to tens of thousands of products, and for catalogs
of that size EASE's closed form, one regularised inverse of the item-item Gram matrix,
is both the most accurate of the classic implicit-feedback models in published
comparisons and on our benchmark (`ecomai bench recommend`, README "Recommendations")
and the fastest to train: no epochs, no learning rate, no random initialisation (so it
is deterministic), and one hyperparameter (``l2``). Its cost is O(items^3) time and
O(items^2) memory, so ``EaseOptions.max_items`` refuses catalogs where that would be
unreasonable (30,000 items = 3.6 GB in float32) rather than swapping the machine.

The solve and the scoring run on the GPU when there is one (``ecomai.device``), always in
float32: an inverse in float16 loses the small weights that carry the signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch
from scipy import sparse

from ecomai.device import choose_placement
from ecomai.errors import InvalidInput, ModelFileError


@dataclass(frozen=True)
class EaseOptions:
    """Attributes:
        l2: ridge penalty on the item-item weights; larger = closer to popularity.
        max_items: refuse bigger catalogs (see the module docstring).
        device: "cpu", "cuda" or None (cuda when present).
    """

    l2: float = 200.0
    max_items: int = 30_000
    device: str | None = None

    def __post_init__(self) -> None:
        if not self.l2 > 0:
            raise InvalidInput(f"EASE l2 must be > 0, got {self.l2}")
        if self.max_items < 1:
            raise InvalidInput("max_items must be >= 1")


class EaseScorer:
    """Item-item weights B (items x items, zero diagonal); a shopper's scores are h @ B."""

    kind = "ease"

    def __init__(self, options: EaseOptions = EaseOptions()) -> None:
        self.options = options
        self._device = choose_placement(options.device).device
        self._weights: torch.Tensor | None = None

    def fit(self, matrix: sparse.csr_matrix) -> None:
        """Args: matrix: customers x items interaction weights."""
        n_items = matrix.shape[1]
        if n_items > self.options.max_items:
            raise InvalidInput(f"EASE needs items^2 memory: {n_items} items > max_items={self.options.max_items}")
        gram = torch.as_tensor((matrix.T @ matrix).toarray(), dtype=torch.float32, device=self._device)
        gram.diagonal().add_(self.options.l2)
        inverse = torch.linalg.inv(gram)
        weights = -inverse / inverse.diagonal()  # column j divided by P_jj
        weights.diagonal().zero_()
        self._weights = weights

    def score(self, users: np.ndarray, histories: np.ndarray) -> np.ndarray:
        """Scores of every item for each history.

        Args:
            users: row index of each shopper in the training matrix, -1 if unknown (unused:
                EASE needs only the history).
            histories: shape (batch, items), weighted history of each shopper.

        Returns:
            shape (batch, items), float32.
        """
        weights = self._fitted()
        rows = torch.as_tensor(histories, dtype=torch.float32, device=weights.device)
        return (rows @ weights).cpu().numpy()

    def neighbours(self, item: int) -> np.ndarray:
        """How strongly each item goes with ``item`` (row ``item`` of B), shape (items,)."""
        return self._fitted()[item].cpu().numpy()

    def state(self) -> dict[str, np.ndarray]:
        return {"weights": self._fitted().cpu().numpy()}

    def config(self) -> dict[str, Any]:
        return {"l2": self.options.l2, "max_items": self.options.max_items}

    @classmethod
    def from_state(cls, config: Mapping[str, Any], state: Mapping[str, np.ndarray],
                   device: str | None = None) -> "EaseScorer":
        weights = state.get("weights")
        if weights is None or weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
            raise ModelFileError("EASE model file has no square weight matrix")
        scorer = cls(EaseOptions(l2=float(config["l2"]), max_items=int(config["max_items"]), device=device))
        scorer._weights = torch.as_tensor(weights, dtype=torch.float32, device=scorer._device)
        return scorer

    def _fitted(self) -> torch.Tensor:
        if self._weights is None:
            raise InvalidInput("the EASE model is not fitted")
        return self._weights
