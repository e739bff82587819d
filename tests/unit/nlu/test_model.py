from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ecomai.device import choose_placement
from ecomai.errors import InvalidInput, ModelFileError
from ecomai.nlu.data import SENTIMENT_LABELS
from ecomai.nlu.encoder import embed
from ecomai.nlu.model import NluPrediction, ShopNluModel
from ecomai.nlu.train import TrainOptions, train_nlu

from .conftest import INTENTS, SENTIMENTS, TINY_OPTIONS

MESSAGES = ["where is my order", "i want a refund for these shoes", "hello", "i hate this terrible shop",
            "track", "great service thanks , where is my parcel now"]


@pytest.fixture(scope="module")
def saved_dir(tiny_model: ShopNluModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("nlu") / "model"
    tiny_model.save(directory)
    return directory


def test_learns_the_training_intents(tiny_model: ShopNluModel) -> None:
    predictions = tiny_model.predict([text for text, _ in INTENTS])
    correct = sum(p.intent == label for p, (_, label) in zip(predictions, INTENTS))
    assert correct >= 0.9 * len(INTENTS)


def test_prediction_fields_are_consistent(tiny_model: ShopNluModel) -> None:
    prediction = tiny_model.predict(["where is my order"])[0]
    assert isinstance(prediction, NluPrediction)
    assert prediction.ranking[0] == (prediction.intent, prediction.confidence)
    scores = [score for _, score in prediction.ranking]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3  # top 10 of 3 intents
    assert sum(scores) == pytest.approx(1.0, abs=1e-5)
    assert set(prediction.sentiment_probs) == set(SENTIMENT_LABELS)
    assert prediction.sentiment_score == max(prediction.sentiment_probs.values())
    assert prediction.sentiment_probs[prediction.sentiment] == prediction.sentiment_score


def test_batch_predictions_equal_one_by_one(tiny_model: ShopNluModel) -> None:
    """Padding must not change a message's result: masks cover attention and pooling."""
    together = tiny_model.predict(MESSAGES, batch_size=4)
    for text, batched in zip(MESSAGES, together):
        alone = tiny_model.predict([text])[0]
        assert alone.intent == batched.intent and alone.sentiment == batched.sentiment
        assert alone.confidence == pytest.approx(batched.confidence, abs=1e-5)
        assert alone.sentiment_score == pytest.approx(batched.sentiment_score, abs=1e-5)


def test_save_load_round_trip_predicts_the_same(tiny_model: ShopNluModel, saved_dir: Path) -> None:
    loaded = ShopNluModel.load(saved_dir, choose_placement("cpu"))
    assert loaded.intent_labels == tiny_model.intent_labels
    assert loaded.intent_temperature == tiny_model.intent_temperature
    assert loaded.predict(MESSAGES) == tiny_model.predict(MESSAGES)
    manifest = json.loads((saved_dir / "nlu.json").read_text())
    assert {"heads.safetensors", "encoder/model.safetensors", "encoder/config.json"} <= set(manifest["sha256"])


def test_corrupted_weights_give_a_clear_error(saved_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(saved_dir, copy)
    weights = copy / "encoder" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        ShopNluModel.load(copy)


def test_missing_or_incomplete_model_is_refused(saved_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="ecomai train"):
        ShopNluModel.load(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(saved_dir, copy)
    (copy / "heads.safetensors").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        ShopNluModel.load(copy)


def test_intent_only_model_has_no_sentiment(tiny_encoder_dir: Path) -> None:
    options = TrainOptions(**{**TINY_OPTIONS.__dict__, "max_steps": 2})
    model, report = train_nlu(INTENTS, None, options, encoder_dir=tiny_encoder_dir, progress=False)
    prediction = model.predict(["hello"])[0]
    assert prediction.sentiment is None and prediction.sentiment_score is None and not prediction.sentiment_probs
    assert report.sentiment is None and report.steps == 2


def test_model_runs_on_the_chosen_placement(tiny_model: ShopNluModel) -> None:
    assert tiny_model.device == choose_placement("cpu").device and tiny_model.dtype == torch.float32
    with pytest.raises(InvalidInput):
        tiny_model.predict(["hi"], batch_size=0)


@pytest.mark.requires_cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cuda_placement_is_half_precision_and_agrees(saved_dir: Path, tiny_model: ShopNluModel) -> None:
    on_gpu = ShopNluModel.load(saved_dir, choose_placement("cuda"))
    assert on_gpu.dtype == torch.float16
    assert [p.intent for p in on_gpu.predict(MESSAGES)] == [p.intent for p in tiny_model.predict(MESSAGES)]


def test_predictions_follow_the_weights_once_training_resumes(tiny_encoder_dir: Path) -> None:
    model, _ = train_nlu(INTENTS, SENTIMENTS, replace(TINY_OPTIONS, epochs=2), encoder_dir=tiny_encoder_dir,
                         progress=False)
    before = model.predict(MESSAGES)  # through the exported copy of the encoder
    batch = model.tokenize(MESSAGES)
    with torch.inference_mode():
        eager = model.intent_head(embed(model.encoder, batch))
        assert torch.allclose(model.logits(batch).intent, eager, atol=1e-5)
    model.train()
    with torch.no_grad():
        for parameter in model.encoder.parameters():
            parameter.mul_(0.5)
    model.eval()
    assert model.predict(MESSAGES) != before
    with torch.inference_mode():
        assert torch.allclose(model.logits(batch).intent, model.intent_head(embed(model.encoder, batch)), atol=1e-5)
