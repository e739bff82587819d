"""Background writer for the conversation log.

The event broker must never slow a conversation down nor lose a message when the
database hiccups, so messages go into a queue that one thread drains in batches,
retrying with backoff while the store is unavailable. Only a message the database
rejects as invalid is dropped, alone and with an error in the log.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable, Sequence

from sqlalchemy.engine import Engine

from ecomai.errors import StoreUnavailable
from ecomai.store.conversations import LoggedMessage, write_messages

logger = logging.getLogger(__name__)

WriteFn = Callable[[Engine, Sequence[LoggedMessage]], int]


class ConversationLogWriter:
    """Queue + one writer thread. ``submit`` never blocks; ``flush`` waits for the backlog.

    Batches gather for up to ``linger_s`` so a busy server commits once per batch, not
    once per event (commits were a tenth of the Rasa process's CPU under load).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = 200,
        linger_s: float = 0.02,
        max_backoff_s: float = 5.0,
        write: WriteFn = write_messages,
    ) -> None:
        self._engine = engine
        self._batch_size = batch_size
        self._linger_s = linger_s
        self._max_backoff_s = max_backoff_s
        self._write = write
        self._queue: "queue.Queue[LoggedMessage]" = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="conversation-log-writer", daemon=True)
        self._thread.start()

    def submit(self, message: LoggedMessage) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(message)

    @property
    def backlog(self) -> int:
        """Messages accepted but not yet written."""
        with self._idle:
            return self._pending

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything submitted so far is written; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued (up to ``timeout_s``), then stop the thread."""
        if not self.flush(timeout_s):
            logger.error("conversation log closing with %d unwritten messages", self.backlog)
        self._stopping.set()
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            # Wait a moment for the rest of the turn's events: one commit instead of many.
            deadline = time.monotonic() + self._linger_s
            while len(batch) < self._batch_size:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            self._write_until_stored(batch)
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _write_until_stored(self, batch: list[LoggedMessage]) -> None:
        backoff = 0.05
        while True:
            try:
                self._write(self._engine, batch)
                return
            except StoreUnavailable as error:
                if self._stopping.is_set():
                    logger.error("conversation log stopped with %d unwritten messages: %s", len(batch), error)
                    return
                logger.warning("conversation log: store unavailable, retrying in %.2fs: %s", backoff, error)
                time.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
            except Exception:  # noqa: BLE001 - isolate the message the database rejects
                if len(batch) == 1:
                    logger.exception("conversation log: dropping invalid message %s", batch[0].event_id)
                    return
                for message in batch:
                    self._write_until_stored([message])
                return
