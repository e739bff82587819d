from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from ecomai.config import Settings
from ecomai.errors import AudioTooLong, ModelFileError, NoSpeech, NotAudio
from ecomai.speech.audio import AudioLimits
from ecomai.speech.service import SpeechService
from ecomai.speech.transcriber import Transcriber, WhisperTranscriber
from ecomai.batching import BatchOptions
from tests.unit.speech.conftest import fixture_bytes, tiny_whisper
from tests.unit.speech.test_audio import tone, wav_bytes


async def test_transcription_runs_off_the_event_loop() -> None:
    loop_ran = threading.Event()

    def model_that_needs_the_loop() -> Transcriber:
        # Loading finishes only after another task ran on the event loop meanwhile; had
        # the service loaded (or transcribed) on the loop, this would wait in vain.
        assert loop_ran.wait(timeout=10), "the event loop was blocked"
        return WhisperTranscriber(tiny_whisper(terse=True))

    async def other_work() -> None:
        await asyncio.sleep(0.01)
        loop_ran.set()

    service = SpeechService(model_that_needs_the_loop, AudioLimits(), BatchOptions())
    other = asyncio.ensure_future(other_work())
    try:
        await service.transcribe(fixture_bytes("where_is_my_order.wav"))
    except NoSpeech:
        pass  # an untrained model may hear nothing; what matters is that the loop kept running
    await other
    assert loop_ran.is_set()


async def test_bad_audio_is_refused_before_the_model_is_needed() -> None:
    def never() -> Transcriber:
        raise AssertionError("the model was loaded for audio that needs none")

    service = SpeechService(never, AudioLimits(max_seconds=1), BatchOptions())
    with pytest.raises(NotAudio):
        await service.transcribe(b"definitely not audio")
    with pytest.raises(AudioTooLong):
        await service.transcribe(wav_bytes(tone(1.5)))
    with pytest.raises(NoSpeech):
        await service.transcribe(wav_bytes(tone(0.5) * 0))


async def test_a_broken_model_is_a_model_file_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"\0" * 64)
    settings = Settings(token_secret="x", var_dir=tmp_path, whisper_model=broken)
    service = SpeechService.from_settings(settings)
    assert service.limits == AudioLimits(max_bytes=2_000_000, max_seconds=30)
    with pytest.raises(ModelFileError):
        await service.transcribe(fixture_bytes("where_is_my_order.wav"))


@pytest.mark.slow
async def test_bundled_model_hears_concurrent_shoppers(tmp_path: Path) -> None:
    service = SpeechService.from_settings(Settings(token_secret="x", var_dir=tmp_path))
    texts = await asyncio.gather(*(service.transcribe(fixture_bytes(name))
                                   for name in ("where_is_my_order.wav", "payment_methods.wav")))
    assert texts == ["Where is my order?", "What payment methods do you accept?"]
    assert (tmp_path / "whisper").is_dir()  # converted once into var_dir/whisper
