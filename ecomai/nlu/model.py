"""The shop's NLU model: one fine-tuned encoder pass per message feeds an intent head
and a sentiment head, so both read the same features the encoder was trained for.

Serving imports only this module (and encoder.py); training lives in train.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import torch
from safetensors.torch import load_file, save_file

from ecomai.checksums import file_sha256
from ecomai.device import Placement, choose_placement
from ecomai.errors import InvalidInput, ModelFileError
from ecomai.nlu.encoder import Embedder, Encoder, TokenBatch, embed, inference_embedder, load_encoder, tokenize

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "nlu.json"
HEADS_FILE = "heads.safetensors"
ENCODER_SUBDIR = "encoder"
RANKING_SIZE = 10


@dataclass(frozen=True)
class NluPrediction:
    """What the model says about one message.

    Attributes:
        intent: most likely intent.
        confidence: its calibrated probability (0..1).
        ranking: up to 10 (intent, calibrated probability) pairs, most likely first.
        sentiment: negative/neutral/positive, or None for a model without a sentiment head.
        sentiment_score: the calibrated probability of ``sentiment``.
        sentiment_probs: calibrated probability of every sentiment label.
    """

    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    sentiment: str | None = None
    sentiment_score: float | None = None
    sentiment_probs: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NluLogits:
    """Raw (uncalibrated) head outputs: ``intent`` [B, n_intents], ``sentiment`` [B, 3] or None."""

    intent: torch.Tensor
    sentiment: torch.Tensor | None


class ShopNluModel(torch.nn.Module):
    """Encoder + intent head (+ optional sentiment head), with one temperature per head.

    Args:
        encoder: tokenizer and transformer (from :func:`ecomai.nlu.encoder.load_encoder`).
        intent_labels: intent names, in head output order.
        sentiment_labels: sentiment names in head order, or None for an intent-only model.
        max_length: longest input in tokens; longer messages are truncated.
        dropout: dropout on the sentence vector while training.
    """

    def __init__(self, encoder: Encoder, intent_labels: Sequence[str], sentiment_labels: Sequence[str] | None = None,
                 max_length: int = 64, dropout: float = 0.1) -> None:
        super().__init__()
        if len(set(intent_labels)) != len(intent_labels) or len(intent_labels) < 2:
            raise InvalidInput("need at least two distinct intent labels")
        self.encoder = encoder.model
        self.tokenizer = encoder.tokenizer
        self.intent_labels = tuple(intent_labels)
        self.sentiment_labels = tuple(sentiment_labels) if sentiment_labels else None
        self.max_length = max_length
        self.dropout = torch.nn.Dropout(dropout)
        hidden = encoder.hidden_size
        self.intent_head = torch.nn.Linear(hidden, len(self.intent_labels))
        self.sentiment_head = torch.nn.Linear(hidden, len(self.sentiment_labels)) if self.sentiment_labels else None
        self.intent_temperature = 1.0
        self.sentiment_temperature = 1.0
        self._inference_embed: Embedder | None = None  # see _prediction_embedder: made at load or first use
        first = next(self.encoder.parameters())
        self.to(device=first.device, dtype=first.dtype)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    def place(self, placement: Placement) -> "ShopNluModel":
        """Move weights to ``placement`` (e.g. fp16 on CUDA for serving); returns self."""
        self._inference_embed = None
        self.to(device=placement.device, dtype=placement.dtype)
        return self

    def train(self, mode: bool = True) -> "ShopNluModel":
        if mode:  # the weights are about to change: the exported copy of them would not follow
            self._inference_embed = None
        return super().train(mode)

    def tokenize(self, texts: Sequence[str]) -> TokenBatch:
        """Token ids of ``texts`` on this model's device, padded to the longest text."""
        return tokenize(self.tokenizer, list(texts), self.max_length).to(self.device)

    def forward(self, batch: TokenBatch) -> NluLogits:
        """Raw logits of both heads from one encoder pass (dropout applies in train mode)."""
        pooled = self.dropout(self._sentence_vectors(batch))
        sentiment = self.sentiment_head(pooled) if self.sentiment_head is not None else None
        return NluLogits(self.intent_head(pooled), sentiment)

    def _sentence_vectors(self, batch: TokenBatch) -> torch.Tensor:
        """Training runs the encoder eagerly (gradients); predictions go through
        :func:`ecomai.nlu.encoder.inference_embedder`, an ONNX Runtime copy on the CPU
        that is made once and dropped when training resumes."""
        if self.training:
            return embed(self.encoder, batch)
        return self._prediction_embedder()(batch)

    def _prediction_embedder(self) -> Embedder:
        if self._inference_embed is None:
            self._inference_embed = inference_embedder(Encoder(self.tokenizer, self.encoder))
        return self._inference_embed

    def logits(self, batch: TokenBatch) -> NluLogits:
        """Typed alias of calling the module."""
        result: NluLogits = self(batch)
        return result

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[NluPrediction]:
        """Intent and sentiment of each text, in the order given.

        Texts are grouped by length so each batch pads little; one tokenizer call and
        one encoder pass per batch.
        """
        if batch_size < 1:
            raise InvalidInput("batch_size must be >= 1")
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        results: dict[int, NluPrediction] = {}
        was_training = self.training
        self.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                predictions = self._predict_batch([texts[i] for i in chunk])
                results.update(zip(chunk, predictions))
        self.train(was_training)
        return [results[i] for i in range(len(texts))]

    def _predict_batch(self, texts: list[str]) -> list[NluPrediction]:
        out = self.logits(self.tokenize(texts))
        intent_probs = torch.softmax(out.intent.float() / self.intent_temperature, dim=-1).cpu()
        top = torch.topk(intent_probs, k=min(RANKING_SIZE, len(self.intent_labels)), dim=-1)
        sentiment_probs = (torch.softmax(out.sentiment.float() / self.sentiment_temperature, dim=-1).cpu().tolist()
                           if out.sentiment is not None else [None] * len(texts))
        return [self._prediction(values, indices, sentiment)
                for values, indices, sentiment in zip(top.values.tolist(), top.indices.tolist(), sentiment_probs)]

    def _prediction(self, values: list[float], indices: list[int], sentiment: list[float] | None) -> NluPrediction:
        ranking = tuple((self.intent_labels[i], float(v)) for i, v in zip(indices, values))
        if sentiment is None or self.sentiment_labels is None:
            return NluPrediction(ranking[0][0], ranking[0][1], ranking)
        best = max(range(len(sentiment)), key=sentiment.__getitem__)
        probs = {label: float(p) for label, p in zip(self.sentiment_labels, sentiment)}
        return NluPrediction(ranking[0][0], ranking[0][1], ranking, self.sentiment_labels[best], sentiment[best], probs)

    def save(self, directory: Path) -> None:
        """Write encoder + tokenizer (safetensors), heads (safetensors) and ``nlu.json``
        (labels, temperatures, options, SHA-256 of every file). The manifest is written
        last, so a half-written directory never loads."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST).unlink(missing_ok=True)
        self.encoder.save_pretrained(str(directory / ENCODER_SUBDIR), safe_serialization=True)
        self.tokenizer.save_pretrained(str(directory / ENCODER_SUBDIR))
        heads = {name: tensor.detach().float().cpu().contiguous() for name, tensor in self.state_dict().items()
                 if name.startswith(("intent_head.", "sentiment_head."))}
        save_file(heads, str(directory / HEADS_FILE))
        files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)
        manifest = {
            "format_version": FORMAT_VERSION,
            "intent_labels": list(self.intent_labels),
            "sentiment_labels": list(self.sentiment_labels) if self.sentiment_labels else None,
            "intent_temperature": self.intent_temperature,
            "sentiment_temperature": self.sentiment_temperature,
            "max_length": self.max_length,
            "dropout": self.dropout.p,
            "sha256": {p.relative_to(directory).as_posix(): file_sha256(p) for p in files},
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, directory: Path, placement: Placement | None = None) -> "ShopNluModel":
        """Load a model written by :meth:`save`, after checking every file's checksum.

        Args:
            directory: the saved model.
            placement: where to run; default :func:`ecomai.device.choose_placement`.

        Raises:
            ModelFileError: no manifest, a missing file, or a checksum mismatch.
        """
        manifest = read_manifest(directory)
        placement = placement or choose_placement()
        encoder = load_encoder(directory / ENCODER_SUBDIR, placement)
        model = cls(encoder, manifest["intent_labels"], manifest["sentiment_labels"],
                    max_length=int(manifest["max_length"]), dropout=float(manifest["dropout"]))
        heads = load_file(str(directory / HEADS_FILE))
        missing, unexpected = model.load_state_dict(heads, strict=False)
        if unexpected or any(name.startswith(("intent_head.", "sentiment_head.")) for name in missing):
            raise ModelFileError(f"{directory / HEADS_FILE} does not match the labels in {MANIFEST}")
        model.intent_temperature = float(manifest["intent_temperature"])
        model.sentiment_temperature = float(manifest["sentiment_temperature"])
        model.place(placement).eval()
        model._prediction_embedder()  # exported now, not while the first shopper waits
        return model


def read_manifest(directory: Path) -> dict:
    """``nlu.json`` of a saved model, after verifying the SHA-256 of every file it lists.

    Raises:
        ModelFileError: no manifest, an unknown format, a missing file, or a checksum mismatch.
    """
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelFileError(f"{directory} holds no trained NLU model (no {MANIFEST}); run `ecomai train`")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path} is corrupted: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path} has format {manifest.get('format_version')!r}, expected {FORMAT_VERSION}")
    for name, expected in manifest["sha256"].items():
        file = directory / name
        if not file.is_file():
            raise ModelFileError(f"{file} is missing; the model directory is incomplete")
        if file_sha256(file) != expected:
            raise ModelFileError(f"{file} does not match its checksum: the model is corrupted, retrain or recopy it")
    return dict(manifest)

