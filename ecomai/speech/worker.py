"""One thread owns the model: it loads it once and transcribes queued clips in batches.

Callers (the websocket channel's event loop, tests, the bench) submit a clip and get a
``concurrent.futures.Future``; they never run the model themselves, so an event loop
is never blocked by a transcription. Whatever is waiting when the thread becomes free
is transcribed in one batch (up to ``max_batch``); on a GPU the thread also waits
``window_s`` after the first clip for others to arrive, because a batch of 8 costs
about what one clip costs there.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from ecomai.errors import InvalidInput

if TYPE_CHECKING:
    from ecomai.speech.transcriber import Transcriber, Transcript

logger = logging.getLogger(__name__)

_Job = tuple[np.ndarray, "Future[Transcript]"]


@dataclass(frozen=True)
class BatchOptions:
    """How concurrent requests are grouped.

    Attributes:
        max_batch: most clips transcribed together.
        window_s: after the first clip, wait this long for more (0 on CPU, where a batch
            costs as much as its clips one by one).
    """

    max_batch: int = 8
    window_s: float = 0.0

    def __post_init__(self) -> None:
        if self.max_batch < 1 or not 0 <= self.window_s <= 1:
            raise InvalidInput("max_batch must be >= 1 and window_s in [0, 1]")


class TranscriptionWorker:
    """A daemon thread that loads a transcriber on first use and serves batches."""

    def __init__(self, load: Callable[[], "Transcriber"], options: BatchOptions = BatchOptions()) -> None:
        self._load = load
        self.options = options
        self._jobs: "queue.Queue[_Job]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batch_sizes: list[int] = []  # one entry per batch run; lets tests and the bench see batching

    def submit(self, clip: np.ndarray) -> "Future[Transcript]":
        """Queue one clip (float32, 16 kHz mono); the future holds its transcript or error."""
        future: "Future[Transcript]" = Future()
        self._jobs.put((clip, future))
        self._ensure_started()
        return future

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="whisper-worker", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            transcriber = self._load()
        except Exception as exc:  # a broken model fails every request, now and later, the same way
            logger.error("speech model failed to load: %s", exc)
            while True:
                _, future = self._jobs.get()
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)
        while True:
            batch = self._next_batch()
            if batch:
                self.batch_sizes.append(len(batch))
                self._serve(transcriber, batch)

    def _serve(self, transcriber: "Transcriber", batch: list[_Job]) -> None:
        try:
            transcripts = transcriber.transcribe([clip for clip, _ in batch])
        except Exception as exc:
            if len(batch) > 1:  # one bad clip must not fail the others: retry them alone
                for job in batch:
                    self._serve(transcriber, [job])
            else:
                batch[0][1].set_exception(exc)
            return
        for (_, future), transcript in zip(batch, transcripts):
            future.set_result(transcript)

    def _next_batch(self) -> list[_Job]:
        batch = [self._jobs.get()]
        deadline = time.monotonic() + self.options.window_s
        while len(batch) < self.options.max_batch:
            try:
                batch.append(self._jobs.get(timeout=max(deadline - time.monotonic(), 0)) if self.options.window_s
                             else self._jobs.get_nowait())
            except queue.Empty:
                break
        return [job for job in batch if job[1].set_running_or_notify_cancel()]
