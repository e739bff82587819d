from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from ecomai.errors import InvalidInput
from ecomai.recommend.matrix import Events, WeightOptions, build_matrix, events_from_interactions
from ecomai.store.catalog import Interaction
from tests.unit.recommend.conftest import START


def _events(*rows: tuple[str, str, str, int]) -> Events:
    return events_from_interactions([Interaction(u, s, e, START + timedelta(days=d)) for u, s, e, d in rows])


def test_cells_sum_event_weights_and_drop_unknown_items() -> None:
    events = _events(("U1", "A", "view", 0), ("U1", "A", "purchase", 0), ("U2", "B", "cart", 0),
                     ("U2", "GONE", "purchase", 0), ("U2", "B", "wishlist", 0))
    data = build_matrix(events, ["B", "A", "C"], WeightOptions(log_scale=False))
    assert data.users == ("U1", "U2") and data.items == ("A", "B", "C")
    assert data.matrix.toarray().tolist() == [[6.0, 0.0, 0.0], [0.0, 3.0, 0.0]]
    logged = build_matrix(events, ["A", "B", "C"])
    assert logged.matrix[0, 0] == pytest.approx(math.log1p(6.0))


def test_recency_decay_halves_weight_per_half_life_before_the_newest_event() -> None:
    events = _events(("U1", "A", "view", 0), ("U1", "B", "view", 30))
    data = build_matrix(events, ["A", "B"], WeightOptions(half_life_days=30, log_scale=False))
    assert data.matrix.toarray()[0].tolist() == pytest.approx([0.5, 1.0])


def test_bad_weights_and_empty_data_are_clear_errors() -> None:
    with pytest.raises(InvalidInput, match="finite"):
        WeightOptions(event_weights={"view": -1.0})
    with pytest.raises(InvalidInput, match="half_life"):
        WeightOptions(half_life_days=0)
    with pytest.raises(InvalidInput, match="same length"):
        Events(np.array(["U1"]), np.array([]), np.array([]), np.array([]))
    with pytest.raises(InvalidInput, match="no interaction"):
        build_matrix(_events(("U1", "GONE", "view", 0)), ["A"])
    with pytest.raises(InvalidInput, match="no items"):
        build_matrix(_events(("U1", "A", "view", 0)), [])
