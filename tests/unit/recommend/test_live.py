"""Serving while retraining: the served model follows the file, never breaks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.live import LiveRecommender
from ecomai.recommend.model import CFRecommender
from tests.unit.recommend.conftest import CATALOG, SCORERS, tiny_history


def _popularity() -> CFRecommender:
    return CFRecommender(SCORERS["popularity"]()).fit(tiny_history(), CATALOG)


def test_serves_popularity_with_a_log_line_until_a_model_exists(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    live = LiveRecommender(tmp_path / "model.npz", _popularity, CATALOG)
    with caplog.at_level(logging.INFO, logger="ecomai.recommend.live"):
        assert live.current().kind == "popularity"
        assert live.current() is live.current()  # built once
    assert sum("recommender_fallback" in r.message for r in caplog.records) == 1

    CFRecommender(SCORERS["ease"]()).fit(tiny_history(), CATALOG).save(tmp_path / "model.npz")
    assert live.current().kind == "ease"


def test_a_retrained_model_replaces_the_old_one_for_later_calls(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    CFRecommender(SCORERS["ease"]()).fit(tiny_history(), CATALOG).save(path)
    live = LiveRecommender(path, _popularity, CATALOG)
    serving = live.current()  # a request in flight holds this one
    CFRecommender(SCORERS["als"]()).fit(tiny_history(), CATALOG).save(path)

    assert live.current().kind == "als"
    assert serving.kind == "ease" and serving.recommend(RecommendRequest("U6", k=2))  # still answers


def test_a_damaged_new_file_is_refused_and_the_loaded_model_keeps_serving(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "model.npz"
    CFRecommender(SCORERS["ease"]()).fit(tiny_history(), CATALOG).save(path)
    live = LiveRecommender(path, _popularity, CATALOG)
    first = live.current()
    path.write_bytes(b"half a model")
    with caplog.at_level(logging.ERROR, logger="ecomai.recommend.live"):
        assert live.current() is first
        assert live.current() is first  # refused once, not re-read on every call
    assert sum("recommender_load_failed" in r.message for r in caplog.records) == 1


def test_the_live_catalog_applies_to_a_loaded_model(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    CFRecommender(SCORERS["ease"]()).fit(tiny_history(), CATALOG).save(path)
    without_b2 = {sku: c for sku, c in CATALOG.items() if sku != "B2"}
    live = LiveRecommender(path, _popularity, without_b2)
    assert "B2" not in live.current().recommend(RecommendRequest("U7", k=len(CATALOG)))
