from __future__ import annotations

import io
import wave

import av
import numpy as np
import pytest

from ecomai.errors import AudioTooLarge, AudioTooLong, InvalidInput, NoSpeech, NotAudio, UnsupportedCodec
from ecomai.speech.audio import SAMPLE_RATE, AudioLimits, decode_audio
from tests.unit.speech.conftest import fixture_bytes

LIMITS = AudioLimits()


def encode(samples: np.ndarray, rate: int, container: str, codec: str, layout: str = "mono") -> bytes:
    """Encode float samples (channels, n) with PyAV, as a browser or a file would hold them."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(samples.astype(np.float32).reshape(1, -1), format="flt", layout=layout)
        frame.rate = rate
        frame = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate).resample(frame)
        for piece in frame:
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def tone(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.5 * np.sin(2 * np.pi * 440 * t)


def test_committed_wav_decodes_to_16k_mono_float32() -> None:
    samples = decode_audio(fixture_bytes("where_is_my_order.wav"), LIMITS)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert samples.shape[0] == 22231 and 0.05 < np.abs(samples).max() <= 1.0  # soxi: 1.39 s at 16 kHz


def test_44k_stereo_is_resampled_to_16k_mono() -> None:
    stereo = np.repeat(tone(1.0, 44_100), 2)  # interleaved L, R
    samples = decode_audio(wav_bytes(stereo, 44_100, channels=2), LIMITS)
    assert abs(samples.shape[0] - SAMPLE_RATE) <= 64
    assert 0.68 < np.abs(samples).max() < 0.73  # FFmpeg's downmix: each channel at -3 dB, summed


@pytest.mark.parametrize(("container", "codec", "rate"), [("webm", "libopus", 48_000), ("ogg", "libopus", 48_000),
                                                          ("flac", "flac", 16_000), ("mp4", "aac", 44_100)])
def test_browser_and_file_formats_decode(container: str, codec: str, rate: int) -> None:
    samples = decode_audio(encode(tone(1.0, rate), rate, container, codec), LIMITS)
    assert abs(samples.shape[0] / SAMPLE_RATE - 1.0) < 0.1 and np.abs(samples).max() > 0.3


def test_limits_are_enforced() -> None:
    data = fixture_bytes("where_is_my_order.wav")
    with pytest.raises(AudioTooLarge):
        decode_audio(data, AudioLimits(max_bytes=len(data) - 1))
    with pytest.raises(AudioTooLong):
        decode_audio(data, AudioLimits(max_seconds=1.0))
    with pytest.raises(AudioTooLong):  # no duration in the header (a live webm): counted while decoding
        decode_audio(encode(tone(2.0, 48_000), 48_000, "webm", "libopus"), AudioLimits(max_seconds=1.0))
    with pytest.raises(InvalidInput):
        AudioLimits(max_seconds=31)


@pytest.mark.parametrize("data", [b"", b"hello, this is text", b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk",
                                  b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4])
def test_non_audio_and_corrupt_audio_are_not_audio(data: bytes) -> None:
    with pytest.raises(NotAudio):
        decode_audio(data, LIMITS)


def test_codecs_browsers_do_not_record_are_unsupported() -> None:
    with pytest.raises(UnsupportedCodec, match="adpcm_ima_wav"):
        decode_audio(encode(tone(0.5), SAMPLE_RATE, "wav", "adpcm_ima_wav"), LIMITS)
    with pytest.raises(UnsupportedCodec, match="mp3"):
        decode_audio(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" * 100, LIMITS)


@pytest.mark.parametrize("samples", [np.zeros(SAMPLE_RATE), np.full(SAMPLE_RATE, 2e-4), np.zeros(0)])
def test_silent_or_empty_audio_is_no_speech(samples: np.ndarray) -> None:
    with pytest.raises(NoSpeech):
        decode_audio(wav_bytes(samples), LIMITS)
