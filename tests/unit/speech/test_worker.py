from __future__ import annotations

import threading

import numpy as np
import pytest

from ecomai.errors import InvalidInput, ModelFileError
from ecomai.speech.audio import SAMPLE_RATE
from ecomai.speech.transcriber import Transcriber, WhisperTranscriber
from ecomai.speech.worker import BatchOptions, TranscriptionWorker
from tests.unit.speech.conftest import tiny_whisper

CLIP = np.zeros(SAMPLE_RATE // 2, np.float32)


def test_requests_waiting_together_are_one_batch_and_the_model_loads_once() -> None:
    gate, loads = threading.Event(), []

    def load() -> Transcriber:
        gate.wait(5)  # hold the worker until all four are queued
        loads.append(1)
        return WhisperTranscriber(tiny_whisper(terse=True))

    worker = TranscriptionWorker(load, BatchOptions(max_batch=3))
    futures = [worker.submit(CLIP) for _ in range(4)]
    gate.set()
    results = [f.result(timeout=20) for f in futures]
    assert worker.batch_sizes == [3, 1] and loads == [1]
    assert len({r.text for r in results[:3]}) == 1  # same clip, same (untrained) model, same words


def test_a_model_that_fails_to_load_fails_every_request_clearly() -> None:
    def load() -> Transcriber:
        raise ModelFileError("model.bin is truncated")

    worker = TranscriptionWorker(load)
    for _ in range(2):
        with pytest.raises(ModelFileError, match="truncated"):
            worker.submit(CLIP).result(timeout=5)


def test_a_bad_clip_fails_alone_not_its_batch_mates() -> None:
    gate = threading.Event()

    def load() -> Transcriber:
        gate.wait(5)
        return WhisperTranscriber(tiny_whisper(terse=True))

    worker = TranscriptionWorker(load)
    good, bad = worker.submit(CLIP), worker.submit(np.zeros(31 * SAMPLE_RATE, np.float32))
    gate.set()
    assert isinstance(good.result(timeout=20).text, str)
    with pytest.raises(Exception, match="30 s"):
        bad.result(timeout=20)


def test_batch_options_are_checked() -> None:
    with pytest.raises(InvalidInput):
        BatchOptions(max_batch=0)
