"""Write CTranslate2 model files for tests: the inverse of ``ecomai.speech.convert``.

Written from the format description in ``ecomai/speech/ct2.py`` so the reader is tested
against bytes laid out independently of it.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Mapping

import torch
import whisper

_TYPE_IDS = {torch.float32: 0, torch.int8: 1, torch.int16: 2, torch.int32: 3, torch.float16: 4}


def write_ct2(path: Path, spec: str, variables: Mapping[str, torch.Tensor], aliases: Mapping[str, str],
              version: int = 6) -> None:
    def string(value: str) -> bytes:
        raw = value.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out = [struct.pack("<I", version), string(spec), struct.pack("<I", 3), struct.pack("<I", len(variables))]
    for name, tensor in variables.items():
        data = tensor.contiguous().numpy().tobytes()
        out += [string(name), struct.pack("<B", tensor.dim()), *(struct.pack("<I", d) for d in tensor.shape),
                struct.pack("<BI", _TYPE_IDS[tensor.dtype], len(data)), data]
    out.append(struct.pack("<I", len(aliases)))
    out += [string(a) + string(t) for a, t in aliases.items()]
    path.write_bytes(b"".join(out))


def whisper_as_ct2(model: whisper.Whisper, dtype: torch.dtype = torch.float16) -> dict[str, torch.Tensor]:
    """CTranslate2 WhisperSpec variables for ``model``: fused projections, zero key biases."""
    sd = {k: v.detach().to(dtype) for k, v in model.state_dict().items()}
    dims = model.dims
    out: dict[str, torch.Tensor] = {
        "decoder/activation": torch.tensor(3, dtype=torch.int8), "decoder/alibi": torch.tensor(0, dtype=torch.int8),
        "decoder/alignment_heads": torch.tensor(1, dtype=torch.int16),
        "decoder/alignment_layer": torch.tensor(-1, dtype=torch.int16),
        "decoder/num_heads": torch.tensor(dims.n_text_head, dtype=torch.int16),
        "decoder/pre_norm": torch.tensor(1, dtype=torch.int8),
        "decoder/scale_embeddings": torch.tensor(0, dtype=torch.int8),
        "decoder/start_from_zero_embedding": torch.tensor(0, dtype=torch.int8),
        "encoder/num_heads": torch.tensor(dims.n_audio_head, dtype=torch.int16),
        "decoder/embeddings/weight": sd["decoder.token_embedding.weight"],
        "decoder/position_encodings/encodings": sd["decoder.positional_embedding"],
        "encoder/position_encodings/encodings": sd["encoder.positional_embedding"],
    }
    for conv in ("conv1", "conv2"):
        out[f"encoder/{conv}/weight"], out[f"encoder/{conv}/bias"] = sd[f"encoder.{conv}.weight"], sd[f"encoder.{conv}.bias"]
    for src, dst in (("encoder.ln_post", "encoder/layer_norm"), ("decoder.ln", "decoder/layer_norm")):
        out[f"{dst}/gamma"], out[f"{dst}/beta"] = sd[f"{src}.weight"], sd[f"{src}.bias"]

    def linear(dst: str, *srcs: str) -> None:
        out[f"{dst}/weight"] = torch.cat([sd[f"{s}.weight"] for s in srcs])
        out[f"{dst}/bias"] = torch.cat([sd.get(f"{s}.bias", torch.zeros(sd[f"{s}.weight"].shape[0], dtype=dtype))
                                        for s in srcs])

    def norm(dst: str, src: str) -> None:
        out[f"{dst}/gamma"], out[f"{dst}/beta"] = sd[f"{src}.weight"], sd[f"{src}.bias"]

    for kind, count in (("encoder", dims.n_audio_layer), ("decoder", dims.n_text_layer)):
        for i in range(count):
            src, dst = f"{kind}.blocks.{i}", f"{kind}/layer_{i}"
            norm(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
            linear(f"{dst}/self_attention/linear_0", f"{src}.attn.query", f"{src}.attn.key", f"{src}.attn.value")
            linear(f"{dst}/self_attention/linear_1", f"{src}.attn.out")
            norm(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")
            linear(f"{dst}/ffn/linear_0", f"{src}.mlp.0")
            linear(f"{dst}/ffn/linear_1", f"{src}.mlp.2")
            if kind == "decoder":
                norm(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
                linear(f"{dst}/attention/linear_0", f"{src}.cross_attn.query")
                linear(f"{dst}/attention/linear_1", f"{src}.cross_attn.key", f"{src}.cross_attn.value")
                linear(f"{dst}/attention/linear_2", f"{src}.cross_attn.out")
    return out


TIED = {"decoder/projection/weight": "decoder/embeddings/weight"}
