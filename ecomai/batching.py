"""One thread owns a model: it loads it once and serves queued requests in batches.

Callers (the websocket channel's event loop, tests, the bench) submit one item and get a
``concurrent.futures.Future``; they never run the model themselves, so an event loop is
never blocked by it. Whatever is waiting when the thread becomes free is served in one
batch (up to ``max_batch``); on a GPU the thread also waits ``window_s`` after the first
item for others to arrive, because a batch of several costs about what one costs there.
Speech (Whisper) and the NLU model both serve concurrent shoppers this way.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from ecomai.errors import InvalidInput

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
BatchFunction = Callable[[list[Item]], Sequence[Result]]
_STOP = object()  # queued by close(): the thread ends when it reaches it


@dataclass(frozen=True)
class BatchOptions:
    """How concurrent requests are grouped.

    Attributes:
        max_batch: most items served together.
        window_s: after the first item, wait this long for more (0 on CPU, where a batch
            costs about as much as its items one by one).
    """

    max_batch: int = 8
    window_s: float = 0.0

    def __post_init__(self) -> None:
        if self.max_batch < 1 or not 0 <= self.window_s <= 1:
            raise InvalidInput("max_batch must be >= 1 and window_s in [0, 1]")


class BatchWorker(Generic[Item, Result]):
    """A daemon thread that makes its batch function on first use and serves batches.

    Args:
        load: returns the function that maps a batch of items to their results, in
            order (e.g. a model's ``transcribe``); called once, on the worker thread.
        options: see :class:`BatchOptions`.
        name: the thread's name, for logs and debuggers.
    """

    def __init__(self, load: Callable[[], BatchFunction[Item, Result]], options: BatchOptions = BatchOptions(),
                 name: str = "batch-worker") -> None:
        self._load = load
        self.options = options
        self.name = name
        self._jobs: "queue.Queue[Any]" = queue.Queue()  # (item, future) pairs, then _STOP
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # no item can be queued behind _STOP
        self._closed = False
        self.batch_sizes: list[int] = []  # one entry per batch run; lets tests and the bench see batching

    def submit(self, item: Item) -> "Future[Result]":
        """Queue one item; the future holds its result or error.

        Raises:
            InvalidInput: the worker was closed.
        """
        future: "Future[Result]" = Future()
        with self._lock:
            if self._closed:
                raise InvalidInput(f"{self.name} is closed")
            self._jobs.put((item, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return future

    def close(self) -> None:
        """Serve what is queued, then end the thread, which lets go of the model (a
        server that loads a new model closes the old one's worker)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._jobs.put(_STOP)

    def _run(self) -> None:
        try:
            serve_batch = self._load()
        except Exception as exc:  # a broken model fails every request, now and later, the same way
            logger.error("%s: model failed to load: %s", self.name, exc)
            while (job := self._jobs.get()) is not _STOP:
                if job[1].set_running_or_notify_cancel():
                    job[1].set_exception(exc)
            return
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            if batch:
                self.batch_sizes.append(len(batch))
                self._serve(serve_batch, batch)

    def _serve(self, serve_batch: BatchFunction[Item, Result], batch: list[tuple[Item, "Future[Result]"]]) -> None:
        try:
            results = serve_batch([item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:  # one bad item must not fail the others: retry them alone
                for job in batch:
                    self._serve(serve_batch, [job])
            else:
                batch[0][1].set_exception(exc)
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)

    def _next_batch(self) -> tuple[list[tuple[Item, "Future[Result]"]], bool]:
        """The next batch, and whether the worker was closed behind it."""
        batch = [self._jobs.get()]
        deadline = time.monotonic() + self.options.window_s
        while len(batch) < self.options.max_batch and batch[-1] is not _STOP:
            try:
                batch.append(self._jobs.get(timeout=max(deadline - time.monotonic(), 0)) if self.options.window_s
                             else self._jobs.get_nowait())
            except queue.Empty:
                break
        stopping = batch[-1] is _STOP
        jobs = batch[:-1] if stopping else batch
        return [job for job in jobs if job[1].set_running_or_notify_cancel()], stopping
