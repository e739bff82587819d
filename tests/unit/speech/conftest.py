"""Speech fixtures: committed espeak-ng WAVs, the shared jfk clip, small real Whisper models."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import whisper
from whisper.model import ModelDimensions

from ecomai.device import Placement
from ecomai.speech.transcriber import WhisperTranscriber

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "speech"
JFK = Path(__file__).resolve().parents[4] / "shared" / "data" / "speech" / "jfk.flac"
CPU = Placement(torch.device("cpu"), torch.float32)
# Whisper's real shapes where the front end and tokenizer need them (80 mels, 1500 audio
# frames, the English vocabulary), a few units wide elsewhere: fast, and real code throughout.
TINY_DIMS = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=8, n_audio_head=2, n_audio_layer=2,
                            n_vocab=51864, n_text_ctx=448, n_text_state=8, n_text_head=2, n_text_layer=2)


def tiny_whisper(seed: int = 0, terse: bool = False) -> whisper.Whisper:
    """A randomly initialised (untrained) Whisper of ``TINY_DIMS``; its transcripts are noise.

    ``terse`` makes it end every transcript after one token (its last hidden state is a
    constant that the end-of-text embedding matches best), so tests about threads and
    batches do not wait for 224 tokens of noise.
    """
    torch.manual_seed(seed)
    model = whisper.Whisper(TINY_DIMS)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 0.2)
        if terse:
            model.decoder.ln.weight.zero_()
            model.decoder.ln.bias.fill_(1.0)
            model.decoder.token_embedding.weight[50256] = 10.0  # <|endoftext|> of the English vocabulary
    return model.eval()


@pytest.fixture(scope="session")
def jfk_bytes() -> bytes:
    if not JFK.is_file():
        pytest.skip(f"{JFK} is absent (the shared speech data set is not on this machine)")
    return JFK.read_bytes()


@pytest.fixture(scope="session")
def tiny_en(tmp_path_factory: pytest.TempPathFactory) -> WhisperTranscriber:
    """The bundled tiny.en, converted from CTranslate2 into a fresh cache (slow tests only)."""
    return WhisperTranscriber.load(None, tmp_path_factory.mktemp("whisper-cache"), CPU)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
