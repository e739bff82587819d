"""implicit's alternating least squares (Hu, Koren & Volinsky 2008) behind our scorer
interface: the maintained-library peer that `ecomai bench recommend` measures EASE
against, and a choice for catalogs too large for EASE's items^2 memory.

We keep it wired in (not only in the benchmark) so that the shared recommender tests run
against it and switching models is one option, not a port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from ecomai.errors import InvalidInput, ModelFileError


@dataclass(frozen=True)
class AlsOptions:
    """implicit's ``AlternatingLeastSquares`` arguments (its defaults, except the seed).

    Attributes:
        factors: latent dimensions.
        regularization: L2 on the factors.
        alpha: confidence scale of an observed weight (c = 1 + alpha * w).
        iterations: ALS sweeps.
        seed: random initialisation of the factors.
    """

    factors: int = 100
    regularization: float = 0.01
    alpha: float = 1.0
    iterations: int = 15
    seed: int = 42

    def __post_init__(self) -> None:
        if self.factors < 1 or self.iterations < 1:
            raise InvalidInput("ALS factors and iterations must be >= 1")
        if self.regularization < 0 or not self.alpha > 0:
            raise InvalidInput("ALS regularization must be >= 0 and alpha > 0")


class AlsScorer:
    """Scores = user factors @ item factors; a history the model did not train on gets
    its user factors solved against the fixed item factors (implicit's recalculate_user)."""

    kind = "als"

    def __init__(self, options: AlsOptions = AlsOptions()) -> None:
        from implicit.cpu.als import AlternatingLeastSquares  # the [ml] extra; only this model needs it

        self.options = options
        # One thread: implicit's default (all cores) fights the server's other work, and
        # the benchmark's 2-core machine makes threads slower, not faster, at this size.
        # BLAS limited to one thread as implicit asks (its own threads do the parallel work).
        with threadpool_limits(1, "blas"):
            self._model = AlternatingLeastSquares(
                factors=options.factors, regularization=options.regularization, alpha=options.alpha,
                iterations=options.iterations, random_state=options.seed, num_threads=1)
        self._fitted = False

    def fit(self, matrix: sparse.csr_matrix) -> None:
        with threadpool_limits(1, "blas"):
            self._model.fit(matrix.tocsr().astype(np.float32), show_progress=False)
        self._fitted = True

    def score(self, users: np.ndarray, histories: np.ndarray) -> np.ndarray:
        """See ``EaseScorer.score``; known users (index >= 0) use their trained factors."""
        self._check_fitted()
        factors = np.empty((len(users), self._model.factors), dtype=np.float32)
        known = users >= 0
        factors[known] = self._model.user_factors[users[known]]
        if (~known).any():
            rows = sparse.csr_matrix(histories[~known].astype(np.float32))
            factors[~known] = self._model.recalculate_user(np.arange(rows.shape[0]), rows)
        return factors @ self._model.item_factors.T

    def neighbours(self, item: int) -> np.ndarray:
        """Cosine similarity of item factors, shape (items,)."""
        self._check_fitted()
        items = self._model.item_factors
        norms = np.linalg.norm(items, axis=1) + 1e-9
        return (items @ items[item]) / (norms * norms[item])

    def state(self) -> dict[str, np.ndarray]:
        self._check_fitted()
        return {"user_factors": np.asarray(self._model.user_factors),
                "item_factors": np.asarray(self._model.item_factors)}

    def config(self) -> dict[str, Any]:
        o = self.options
        return {"factors": o.factors, "regularization": o.regularization, "alpha": o.alpha,
                "iterations": o.iterations, "seed": o.seed}

    @classmethod
    def from_state(cls, config: Mapping[str, Any], state: Mapping[str, np.ndarray],
                   device: str | None = None) -> "AlsScorer":
        users, items = state.get("user_factors"), state.get("item_factors")
        if users is None or items is None or users.shape[1:] != items.shape[1:]:
            raise ModelFileError("ALS model file has no matching user and item factors")
        scorer = cls(AlsOptions(**config))
        scorer._model.user_factors, scorer._model.item_factors = users, items
        scorer._fitted = True
        return scorer

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise InvalidInput("the ALS model is not fitted")
