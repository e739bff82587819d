from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ecomai.errors import AudioTooLong, InvalidInput, ModelFileError
from ecomai.speech.audio import SAMPLE_RATE, AudioLimits, decode_audio
from ecomai.speech.transcriber import DecodeOptions, WhisperTranscriber, whisper_checkpoint_path
from tests.unit.speech.conftest import CPU, fixture_bytes, tiny_whisper

JFK_REFERENCE = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def test_user_checkpoint_file_loads_as_is(tmp_path: Path) -> None:
    model = tiny_whisper()
    path = tmp_path / "small-custom.pt"
    torch.save({"dims": model.dims.__dict__, "model_state_dict": model.state_dict()}, path)
    assert whisper_checkpoint_path(path, tmp_path / "cache") == path
    transcriber = WhisperTranscriber.load(path, tmp_path / "cache", CPU)
    assert transcriber.device == torch.device("cpu") and not (tmp_path / "cache").exists()


def test_broken_or_missing_user_model_is_a_model_file_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pt"
    path.write_bytes(b"PK\x03\x04 not really a checkpoint")
    with pytest.raises(ModelFileError, match="not a loadable openai-whisper checkpoint"):
        WhisperTranscriber.load(path, tmp_path, CPU)
    with pytest.raises(ModelFileError, match="neither a Whisper checkpoint file nor a CTranslate2"):
        WhisperTranscriber.load(tmp_path / "nowhere", tmp_path, CPU)


def test_options_are_checked_before_work() -> None:
    with pytest.raises(InvalidInput):
        DecodeOptions(beam_size=0)
    with pytest.raises(InvalidInput, match="English-only"):
        WhisperTranscriber(tiny_whisper(), DecodeOptions(language="de"))


def test_clip_over_30_seconds_is_refused() -> None:
    with pytest.raises(AudioTooLong):
        WhisperTranscriber(tiny_whisper()).transcribe([np.zeros(31 * SAMPLE_RATE, np.float32)])
    assert WhisperTranscriber(tiny_whisper()).transcribe([]) == []


@pytest.mark.slow
def test_jfk_transcribes_to_its_reference(tiny_en: WhisperTranscriber, jfk_bytes: bytes) -> None:
    [transcript] = tiny_en.transcribe([decode_audio(jfk_bytes, AudioLimits())])
    assert transcript.text.replace(",", "") == JFK_REFERENCE.replace(",", "")
    assert transcript.no_speech_prob < 0.2 and transcript.avg_logprob > -0.5


@pytest.mark.slow
def test_batch_gives_each_clip_its_own_words(tiny_en: WhisperTranscriber) -> None:
    clips = [decode_audio(fixture_bytes(name), AudioLimits()) for name in ("payment_methods.wav", "where_is_my_order.wav")]
    texts = [t.text for t in tiny_en.transcribe(clips)]
    assert texts == ["What payment methods do you accept?", "Where is my order?"]
    assert [t.text for t in tiny_en.transcribe(clips[1:])] == texts[1:]


@pytest.mark.slow
def test_noise_is_heard_as_nothing(tiny_en: WhisperTranscriber) -> None:
    noise = np.random.default_rng(0).normal(0, 0.01, 3 * SAMPLE_RATE).astype(np.float32)
    assert tiny_en.transcribe([noise])[0].text == ""
