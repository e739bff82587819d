"""Frames waiting for a shopper who is momentarily disconnected.

A bot message pushed while the shopper's phone switches networks (a reminder, a human
agent's reply) would otherwise be lost; it waits here and is delivered when the same
session reconnects. Everything is bounded - frames per session, their age, and the
number of sessions - because the shopper may never come back. Pure: the caller passes
the clock, so tests need no sleeping.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Deque

from ecomai.errors import InvalidInput

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxLimits:
    """Bounds of the outbox.

    Attributes:
        max_frames: frames kept per session; older ones are dropped first.
        max_age_s: seconds a frame waits before it is considered stale and dropped.
        max_sessions: sessions with waiting frames; the longest-idle session is dropped.
    """

    max_frames: int = 50
    max_age_s: float = 600.0
    max_sessions: int = 10_000

    def __post_init__(self) -> None:
        if self.max_frames < 1 or self.max_sessions < 1 or self.max_age_s <= 0:
            raise InvalidInput("outbox limits must all be positive")


class Outbox:
    """Per-session FIFO of encoded server frames (strings), oldest dropped when full."""

    def __init__(
        self, limits: OutboxLimits = OutboxLimits(), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = limits
        self._clock = clock
        # session id -> (enqueue time, frame); ordered by last push so eviction drops the idlest.
        self._queues: OrderedDict[str, Deque[tuple[float, str]]] = OrderedDict()

    def push(self, session_id: str, frame: str) -> None:
        """Keep ``frame`` for ``session_id`` until it reconnects."""
        now = self._clock()
        queue = self._queues.pop(session_id, None) or deque()
        self._queues[session_id] = queue
        self._drop_stale(session_id, queue, now)
        if len(queue) >= self._limits.max_frames:
            queue.popleft()
            logger.warning("outbox full, dropped oldest frame", extra={"session_id": session_id})
        queue.append((now, frame))
        while len(self._queues) > self._limits.max_sessions:
            evicted, frames = self._queues.popitem(last=False)
            logger.warning(
                "outbox session limit reached, dropped %d frames",
                len(frames),
                extra={"session_id": evicted},
            )

    def drain(self, session_id: str) -> list[str]:
        """Remove and return the fresh frames waiting for ``session_id``, oldest first."""
        queue = self._queues.pop(session_id, None)
        if queue is None:
            return []
        self._drop_stale(session_id, queue, self._clock())
        return [frame for _, frame in queue]

    def pending(self, session_id: str) -> int:
        """How many frames wait for ``session_id`` (stale ones included until next touch)."""
        return len(self._queues.get(session_id, ()))

    def prune(self) -> int:
        """Drop stale frames of every session; returns how many were dropped.

        Called now and then by the channel so sessions that never return free memory.
        """
        now, dropped = self._clock(), 0
        for session_id in list(self._queues):
            queue = self._queues[session_id]
            dropped += self._drop_stale(session_id, queue, now)
            if not queue:
                del self._queues[session_id]
        return dropped

    def _drop_stale(self, session_id: str, queue: Deque[tuple[float, str]], now: float) -> int:
        dropped = 0
        while queue and now - queue[0][0] > self._limits.max_age_s:
            queue.popleft()
            dropped += 1
        if dropped:
            logger.warning(
                "outbox dropped %d stale frames", dropped, extra={"session_id": session_id}
            )
        return dropped

    def __len__(self) -> int:
        """Number of sessions with waiting frames."""
        return len(self._queues)
