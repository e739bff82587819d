"""EASE specifics beyond the shared contract: the closed form, its limits, the GPU path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import sparse

from ecomai.errors import InvalidInput, ModelFileError
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.ease import EaseOptions, EaseScorer
from ecomai.recommend.model import CFRecommender
from tests.unit.recommend.conftest import CATALOG, tiny_history


def test_weights_solve_the_closed_form() -> None:
    matrix = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=np.float32))
    scorer = EaseScorer(EaseOptions(l2=0.5, device="cpu"))
    scorer.fit(matrix)
    gram = (matrix.T @ matrix).toarray() + 0.5 * np.eye(3)
    inverse = np.linalg.inv(gram)
    expected = -inverse / np.diag(inverse)
    np.fill_diagonal(expected, 0)
    assert np.allclose(scorer.state()["weights"], expected, atol=1e-5)


def test_options_and_catalog_size_are_checked_up_front() -> None:
    with pytest.raises(InvalidInput, match="l2"):
        EaseOptions(l2=0)
    with pytest.raises(InvalidInput, match="max_items"):
        EaseScorer(EaseOptions(max_items=2, device="cpu")).fit(sparse.csr_matrix(np.ones((2, 3), np.float32)))
    with pytest.raises(ModelFileError, match="square"):
        EaseScorer.from_state({"l2": 1.0, "max_items": 10}, {"weights": np.zeros((2, 3))})


@pytest.mark.requires_cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_and_cpu_give_the_same_answers() -> None:
    on_cpu = CFRecommender(EaseScorer(EaseOptions(l2=1.0, device="cpu"))).fit(tiny_history(), CATALOG)
    on_gpu = CFRecommender(EaseScorer(EaseOptions(l2=1.0, device="cuda"))).fit(tiny_history(), CATALOG)
    assert np.allclose(on_cpu.scorer.state()["weights"], on_gpu.scorer.state()["weights"], atol=1e-4)
    for user in ("U1", "U6", "U9", "NEW"):
        request = RecommendRequest(user, k=len(CATALOG))
        assert on_gpu.recommend(request) == on_cpu.recommend(request)
