"""Our NLU component inside Rasa's own machinery: trained, stored in Rasa's model
storage, loaded back and run on messages, with a tiny real BERT."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import components
from bot.components import ShopIntentSentimentClassifier
from ecomai.nlu.model import NluPrediction
from tests.unit.nlu.conftest import INTENTS, SENTIMENTS, one_torch_thread, tiny_encoder_dir  # noqa: F401 - fixtures



@pytest.fixture
def config(tiny_encoder_dir: Path, tmp_path: Path) -> dict:  # noqa: F811
    sentiment_csv = tmp_path / "sentiment.csv"
    sentiment_csv.write_text("text,label,intensity\n" + "".join(f"{t},{label},1\n" for t, label in SENTIMENTS))
    return {
        **ShopIntentSentimentClassifier.get_default_config(),
        "encoder_dir": str(tiny_encoder_dir), "sentiment_data": str(sentiment_csv),
        "epochs": 12, "batch_size": 8, "learning_rate": 5e-3, "head_learning_rate": 5e-2, "warmup": 0.0,
        "validation_fraction": 0.2, "dropout": 0.0, "device": "cpu",
    }


def train_and_load(config: dict, directory: Path) -> ShopIntentSentimentClassifier:
    """Train the component in Rasa's model storage under ``directory``, then load it back."""
    (directory / "storage").mkdir()
    storage = LocalModelStorage(directory / "storage")
    resource = Resource("shop_nlu")
    context = ExecutionContext(GraphSchema({}), "test")
    component = ShopIntentSentimentClassifier.create(config, storage, resource, context)
    component.train(TrainingData([Message.build(text=text, intent=intent) for text, intent in INTENTS]))
    return ShopIntentSentimentClassifier.load(config, storage, resource, context)


@pytest.mark.slow  # trains a (tiny) model: a few seconds
def test_trains_persists_loads_and_classifies(config: dict, tmp_path: Path) -> None:
    loaded = train_and_load(config, tmp_path)
    hello, order = loaded.process([Message(data={"text": "hello there"}), Message(data={"text": "where is my order"})])

    assert hello.get("intent")["name"] == "greet"
    assert order.get("intent")["name"] == "order_status"
    ranking = order.get("intent_ranking")
    assert ranking[0]["name"] == "order_status" and len(ranking) == 3
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-3  # calibrated probabilities over all intents
    assert order.get("sentiment")["label"] in {"negative", "neutral", "positive"}
    assert 0.0 <= order.get("sentiment")["score"] <= 1.0
    for key in ("intent", "intent_ranking", "sentiment"):  # reaches the parse data Rasa hands on
        assert key in order.as_dict(only_output_properties=True)


@pytest.mark.slow  # trains a (tiny) model: a few seconds
async def test_the_pipeline_takes_the_channels_batched_prediction(config: dict, tmp_path: Path) -> None:
    """The channel classifies a message ahead of Rasa with the model Rasa loaded; the
    component uses that prediction only for the same message, text and model."""
    loaded = train_and_load(config, tmp_path)
    texts = ["where is my order", "hello there", "i love it"]
    await asyncio.gather(*(components.predict_ahead(f"m{i}", text) for i, text in enumerate(texts)))
    model = components._ready["m0"][0]
    ahead, direct = [components._ready[f"m{i}"][2] for i in range(3)], model.predict(texts)
    assert [(p.intent, p.sentiment) for p in ahead] == [(p.intent, p.sentiment) for p in direct]
    assert [p.confidence for p in ahead] == pytest.approx([p.confidence for p in direct], abs=1e-5)

    stand_in = NluPrediction("return_item", 0.123, (("return_item", 0.123),), "negative", 0.8)
    components._ready["m1"] = (model, "hello there", stand_in)  # what the component reads, made recognisable
    components._ready["m2"] = (model, "a different text", stand_in)
    taken, recomputed = loaded.process([Message(data={"text": "hello there", "message_id": "m1"}),
                                        Message(data={"text": "i love it", "message_id": "m2"})])
    assert taken.get("intent") == {"name": "return_item", "confidence": 0.123}
    assert taken.get("sentiment") == {"label": "negative", "score": 0.8}
    assert recomputed.get("intent")["confidence"] == pytest.approx(direct[2].confidence)  # text differs: afresh

    for i in range(3):
        components.forget_prediction(f"m{i}")
    assert not components._ready


async def test_without_a_loaded_model_the_channel_leaves_classifying_to_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(components, "_served", None)
    await components.predict_ahead("m9", "where is my order")
    assert "m9" not in components._ready


def test_fingerprint_follows_the_sentiment_data(config: dict) -> None:
    before = ShopIntentSentimentClassifier.fingerprint_addon(config)
    Path(config["sentiment_data"]).write_text("text,label,intensity\nchanged,neutral,1\n")
    assert before and ShopIntentSentimentClassifier.fingerprint_addon(config) != before


def test_fingerprint_follows_the_code_training_runs_and_only_that(config: dict, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "train.py").write_text("from shop.device import pick\nEPOCHS = 5\n")
    (package / "device.py").write_text("def pick(): return 'cpu'\n")
    (package / "serving.py").write_text("from shop.train import EPOCHS\n")
    monkeypatch.setattr(components, "PACKAGE_DIR", package)
    monkeypatch.setattr(components, "TRAINING_MODULE", "shop.train")
    before = ShopIntentSentimentClassifier.fingerprint_addon(config)
    (package / "serving.py").write_text("from shop.train import EPOCHS\nBATCH = 64\n")
    assert ShopIntentSentimentClassifier.fingerprint_addon(config) == before
    (package / "device.py").write_text("def pick(): return 'cuda'\n")
    after = ShopIntentSentimentClassifier.fingerprint_addon(config)
    assert after != before
    without_sentiment = ShopIntentSentimentClassifier.fingerprint_addon({**config, "sentiment_data": None})
    assert without_sentiment and without_sentiment != after  # the code alone still decides


def test_fingerprint_of_a_directory_follows_each_of_its_csvs(config: dict, tmp_path: Path) -> None:
    config = {**config, "sentiment_data": str(Path(config["sentiment_data"]).parent)}
    before = ShopIntentSentimentClassifier.fingerprint_addon(config)
    (tmp_path / "product_feedback.csv").write_text("text,label,intensity\nit comes in three colours,neutral,1\n")
    added = ShopIntentSentimentClassifier.fingerprint_addon(config)
    (tmp_path / "product_feedback.csv").write_text("text,label,intensity\nlove the colours,positive,2\n")
    assert len({before, added, ShopIntentSentimentClassifier.fingerprint_addon(config)}) == 3
