"""Spoken message -> text, for asyncio servers: decoding and Whisper both run off the loop.

The websocket channel holds one ``SpeechService``; decoding runs in the loop's default
thread pool (PyAV releases the GIL while it decodes) and transcription on the worker
thread that owns the model, so other shoppers' turns go on meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from ecomai.batching import BatchOptions, BatchWorker
from ecomai.config import Settings
from ecomai.device import choose_placement
from ecomai.errors import NoSpeech
from ecomai.speech.audio import AudioLimits, decode_audio

if TYPE_CHECKING:  # whisper (and numba) load on the worker thread, when the first message comes
    import numpy as np

    from ecomai.speech.transcriber import Transcriber, Transcript

GPU_BATCH_WINDOW_S = 0.02  # what a shopper waits at most for others' clips to share a GPU batch


class SpeechService:
    """Transcribes encoded audio messages; the model loads on the first message."""

    def __init__(self, load: Callable[[], "Transcriber"], limits: AudioLimits, batch: BatchOptions) -> None:
        self.limits = limits
        self.worker: "BatchWorker[np.ndarray, Transcript]" = BatchWorker(lambda: load().transcribe, batch,
                                                                          "whisper-worker")

    @classmethod
    def from_settings(cls, settings: Settings) -> "SpeechService":
        """Whisper from ``settings.whisper_model`` (default: bundled tiny.en), batched on GPU."""
        placement = choose_placement()
        limits = AudioLimits(max_bytes=settings.max_audio_bytes, max_seconds=settings.max_audio_seconds)
        batch = BatchOptions(window_s=GPU_BATCH_WINDOW_S if placement.is_cuda else 0.0)

        def load() -> "Transcriber":
            from ecomai.speech.transcriber import WhisperTranscriber

            return WhisperTranscriber.load(settings.whisper_model, settings.whisper_cache_dir, placement)

        return cls(load, limits, batch)

    async def transcribe(self, data: bytes) -> str:
        """The words in one encoded message.

        Raises:
            AudioError: (its subclasses) not audio, unsupported codec, too large, too long,
                silent, or no words heard.
            ModelFileError: the speech model could not be loaded.
        """
        loop = asyncio.get_running_loop()
        clip = await loop.run_in_executor(None, decode_audio, data, self.limits)
        transcript = await asyncio.wrap_future(self.worker.submit(clip))
        if not transcript.text:
            raise NoSpeech(f"no words heard (no_speech_prob={transcript.no_speech_prob:.2f})")
        return transcript.text
