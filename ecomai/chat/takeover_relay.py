"""The live channel's side of a human takeover: push staff's messages, keep the bot quiet.

The staff console is another process (and must work while the bot is down), so the
database is the only link: the console writes agent events (``ecomai.store.takeover``),
and this relay, running in the channel's event loop, polls for the undelivered events
of the sessions attached to this process, hands each to the channel's ``deliver`` (the
shopper's socket, else the outbox) in id order, and only then marks them delivered.
Events for a shopper who is away stay in the database until they reconnect, however
long that takes; the channel calls ``wake`` when a session attaches so they come at once.

Polling costs one query on a partial index of undelivered rows per interval, and none
while no session is attached. On PostgreSQL, LISTEN/NOTIFY could wake the relay the
moment staff write instead (the query stays, only the wait changes); polling works on
SQLite and needs no extra connection per process.

Delivery is at least once: ids sent but not yet marked (the database hiccuped) are not
sent again by this process; a process restarted in between may resend, and frames
carry ``id`` so the widget drops repeats.

While staff hold a session the channel does not pass the shopper's messages to the bot;
``hold_turn`` logs them (sender ``user``) for the staff transcript instead. If the
database cannot say whether a takeover is on, the bot answers: a shopper who gets a bot
reply during a takeover is better off than one who gets nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, Iterable

from sqlalchemy.engine import Engine

from ecomai.chat import protocol
from ecomai.errors import InvalidInput, StoreUnavailable
from ecomai.store.conversations import LoggedMessage
from ecomai.store.log_writer import ConversationLogWriter
from ecomai.store.takeover import AgentEvent, active_takeover, mark_delivered, undelivered_agent_events

logger = logging.getLogger(__name__)

Deliver = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class RelayOptions:
    """How the relay polls.

    Attributes:
        poll_interval_s: seconds between polls; a staff reply reaches the shopper within
            about this long (plus one query).
        batch: most events fetched per poll; more wait for the next one.
    """

    poll_interval_s: float = 0.5
    batch: int = 500

    def __post_init__(self) -> None:
        if not 0.01 <= self.poll_interval_s <= 60:
            raise InvalidInput(f"poll_interval_s must be in 0.01..60, got {self.poll_interval_s}")
        if self.batch < 1:
            raise InvalidInput(f"batch must be >= 1, got {self.batch}")


def agent_frame(event: AgentEvent) -> str:
    """The websocket frame that shows ``event`` to the shopper."""
    return protocol.encode_agent_event(event.kind, event.agent, event.id, event.text, event.created_at)


class TakeoverRelay:
    """Polls agent events for attached sessions and delivers them; answers "is this session held?"."""

    def __init__(
        self,
        engine: Engine,
        deliver: Deliver,
        live_sessions: Callable[[], Iterable[str]],
        log_writer: ConversationLogWriter,
        options: RelayOptions = RelayOptions(),
    ) -> None:
        self._engine = engine
        self._deliver = deliver
        self._live_sessions = live_sessions
        self._log = log_writer
        self._options = options
        self._sent_unmarked: set[int] = set()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling in the running loop (again, if it had stopped); idempotent."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="takeover-relay")

    def wake(self) -> None:
        """Poll now rather than at the next interval (a session just attached)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop polling and write out the log of held turns."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.to_thread(self._log.close)

    async def poll_once(self) -> int:
        """Deliver what waits for the attached sessions; returns how many frames were sent.

        Raises:
            StoreUnavailable: the database could not be read; nothing was sent.
        """
        async with self._lock:
            sessions = list(self._live_sessions())
            if self._sent_unmarked:
                await asyncio.to_thread(mark_delivered, self._engine, sorted(self._sent_unmarked))
                self._sent_unmarked.clear()
            if not sessions:
                return 0
            events = await asyncio.to_thread(
                undelivered_agent_events, self._engine, sessions, limit=self._options.batch)
            for event in events:
                await self._deliver(event.session_id, agent_frame(event))
                self._sent_unmarked.add(event.id)
            if events:
                await asyncio.to_thread(mark_delivered, self._engine, [event.id for event in events])
                self._sent_unmarked.clear()
            return len(events)

    async def _run(self) -> None:
        failing = False
        while True:
            try:
                await self.poll_once()
                failing = False
            except StoreUnavailable as exc:  # keep polling: the database comes back
                if not failing:
                    logger.warning("takeover relay: database unavailable, retrying: %s", exc)
                failing = True
            except Exception:  # noqa: BLE001 - one bad poll must not end live delivery
                logger.exception("takeover relay: poll failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._options.poll_interval_s)
            self._wake.clear()

    async def hold_turn(self, session_id: str, text: str, *, customer_id: str | None, channel: str,
                        from_speech: bool) -> bool:
        """True when staff hold ``session_id``: the message is logged for them and the bot must stay silent."""
        try:
            held = await asyncio.to_thread(active_takeover, self._engine, session_id) is not None
        except StoreUnavailable as exc:
            logger.warning("takeover state unknown (database unavailable); the bot answers session=%s: %s",
                           session_id, exc)
            return False
        if held:
            self._log.submit(LoggedMessage(
                event_id=f"held:{uuid.uuid4().hex}", session_id=session_id, channel=channel,
                customer_id=customer_id, sender="user", text=text, created_at=datetime.now(timezone.utc),
                from_speech=from_speech))
        return held
