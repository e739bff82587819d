"""Popularity: the honest baseline, and what serves while no trained model exists.

It ignores who is asking (except that the front end still leaves out what they
bought), so every shopper in a category sees the same list.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from scipy import sparse

from ecomai.errors import InvalidInput, ModelFileError


class PopularityScorer:
    """Every item's score is its total interaction weight, whoever asks."""

    kind = "popularity"

    def __init__(self) -> None:
        self._popularity: np.ndarray | None = None

    def fit(self, matrix: sparse.csr_matrix) -> None:
        self._popularity = np.asarray(matrix.sum(axis=0), dtype=np.float32).ravel()

    def score(self, users: np.ndarray, histories: np.ndarray) -> np.ndarray:
        """See ``EaseScorer.score``: the same popularity row for everyone."""
        return np.broadcast_to(self._fitted(), histories.shape).copy()

    def neighbours(self, item: int) -> np.ndarray:
        return self._fitted().copy()

    def state(self) -> dict[str, np.ndarray]:
        return {"popularity": self._fitted()}

    def config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_state(cls, config: Mapping[str, Any], state: Mapping[str, np.ndarray],
                   device: str | None = None) -> "PopularityScorer":
        popularity = state.get("popularity")
        if popularity is None or popularity.ndim != 1:
            raise ModelFileError("popularity model file has no popularity vector")
        scorer = cls()
        scorer._popularity = popularity.astype(np.float32)
        return scorer

    def _fitted(self) -> np.ndarray:
        if self._popularity is None:
            raise InvalidInput("the popularity model is not fitted")
        return self._popularity
