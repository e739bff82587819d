"""Decode a spoken message into what Whisper hears: 16 kHz mono float32, within limits.

PyAV (FFmpeg's libraries in a wheel) decodes webm/opus, ogg/opus, mp4/aac, WAV and
FLAC without any system binary. Bytes come from the internet, so the demuxer is chosen
from the magic bytes (no probing), only the codecs browsers record are decoded, and
decoding stops as soon as the clip passes the length limit, whatever its header claims.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import av
import numpy as np

from ecomai.errors import AudioTooLarge, AudioTooLong, InvalidInput, NoSpeech, NotAudio, UnsupportedCodec
from ecomai.speech.formats import DEMUXERS, sniff_container

SAMPLE_RATE = 16_000  # Hz; what Whisper's mel front end expects
WHISPER_WINDOW_SECONDS = 30  # Whisper hears one 30 s window; longer clips would need chunking
# Codecs we decode: what MediaRecorder produces, plus the PCM/FLAC of uploaded files.
ALLOWED_CODECS = frozenset({
    "opus", "vorbis", "aac", "flac",
    "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le", "pcm_u8", "pcm_mulaw", "pcm_alaw",
})


@dataclass(frozen=True)
class AudioLimits:
    """What one spoken message may be.

    Attributes:
        max_bytes: largest encoded message, in bytes.
        max_seconds: longest message, in seconds (at most Whisper's 30 s window).
        silence_peak: a clip whose loudest sample (full scale = 1.0) stays below this is
            silence (1e-3 is -60 dBFS: quieter than any microphone's noise floor).
    """

    max_bytes: int = 2_000_000
    max_seconds: float = 30.0
    silence_peak: float = 1e-3

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or not 0 < self.max_seconds <= WHISPER_WINDOW_SECONDS:
            raise InvalidInput(f"need max_bytes >= 1 and 0 < max_seconds <= {WHISPER_WINDOW_SECONDS}")
        if not 0 <= self.silence_peak < 1:
            raise InvalidInput("silence_peak must be in [0, 1)")


def decode_audio(data: bytes, limits: AudioLimits) -> np.ndarray:
    """Decode one encoded message into Whisper's input.

    Args:
        data: the encoded file (webm, ogg, mp4, wav or flac), as recorded or uploaded.
        limits: size, length and silence limits.

    Returns:
        float32 array of shape ``(samples,)``, mono, 16 kHz, in [-1, 1].

    Raises:
        AudioTooLarge, NotAudio, UnsupportedCodec, AudioTooLong, NoSpeech (empty or silent).
    """
    if len(data) > limits.max_bytes:
        raise AudioTooLarge(f"{len(data)} bytes > {limits.max_bytes}")
    container = sniff_container(data)
    if container is None:
        raise NotAudio("no known audio container")
    if container not in DEMUXERS:
        raise UnsupportedCodec(f"{container} files are not supported")
    samples = _decode(data, DEMUXERS[container], limits)
    if samples.size == 0 or float(np.abs(samples).max()) < limits.silence_peak:
        raise NoSpeech(f"{samples.size / SAMPLE_RATE:.2f} s of silence")
    return samples


def _decode(data: bytes, demuxer: str, limits: AudioLimits) -> np.ndarray:
    max_samples = int(limits.max_seconds * SAMPLE_RATE)
    try:
        with av.open(io.BytesIO(data), format=demuxer, mode="r") as container:
            if not container.streams.audio:
                raise NotAudio(f"{demuxer} container without an audio stream")
            stream = container.streams.audio[0]
            if stream.codec_context.name not in ALLOWED_CODECS:
                raise UnsupportedCodec(f"codec {stream.codec_context.name}")
            if container.duration is not None and container.duration / av.time_base > limits.max_seconds + 0.5:
                raise AudioTooLong(f"header says {container.duration / av.time_base:.1f} s")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks, total = [], 0
            for frame in itertools.chain(container.decode(stream), [None]):  # None flushes the resampler
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total > max_samples:
                    raise AudioTooLong(f"more than {limits.max_seconds} s")
    except av.FFmpegError as exc:
        raise NotAudio(f"{demuxer} data could not be decoded: {type(exc).__name__}") from None
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
