"""Human takeover: a staff member holds a live conversation, replies in it, hands it back.

The staff console (its own process) calls ``take_over`` / ``post_staff_reply`` /
``hand_back``; the Rasa process's live channel asks ``active_takeover`` before each turn
(the bot stays silent while staff hold the conversation) and polls
``undelivered_agent_events`` to push what staff did to the shopper's socket
(``ecomai.chat.agent_relay``). The database is the only thing the two share, so the
console works while the bot is down and a shopper who is offline gets every message,
in order, when they come back.

Each change and its rows in the conversation log commit in one transaction: the
transcript says "sam took over" exactly when the takeover happened, and agent replies
appear in it with sender ``agent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ecomai.errors import ConversationNotFound, InvalidInput, TakeoverConflict, TakeoverNotHeld
from ecomai.store.conversations import LoggedMessage, write_messages_in
from ecomai.store.db import store_errors
from ecomai.store.schema import agent_events, conversations, handoff_requests, takeovers

MAX_REPLY_CHARS = 2000  # the same limit a shopper's message has
MAX_NAME_CHARS = 64

TAKEOVER_STARTED = "takeover_started"
AGENT_MESSAGE = "agent_message"
TAKEOVER_ENDED = "takeover_ended"
EVENT_KINDS = (TAKEOVER_STARTED, AGENT_MESSAGE, TAKEOVER_ENDED)

HANDOFF_RESOLVED = "resolved"  # handoff_requests.status once staff took the conversation


@dataclass(frozen=True)
class Takeover:
    """The staff member holding a conversation.

    Attributes:
        staff: who holds it (the console's staff identity).
        since: when they took over (UTC, timezone-aware).
        display_name: the name the shopper sees ("You're now chatting with Sam").
    """

    staff: str
    since: datetime
    display_name: str


@dataclass(frozen=True)
class AgentEvent:
    """One thing to push to the shopper: a takeover starting or ending, or an agent's reply.

    Attributes:
        id: increasing with time; the channel delivers a session's events in this order.
        kind: one of ``EVENT_KINDS``.
        agent: the display name of the staff member.
        text: the reply (``agent_message`` only).
        created_at: when staff did it (UTC, timezone-aware).
    """

    id: int
    session_id: str
    kind: str
    agent: str
    text: str | None
    created_at: datetime


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _name(value: str, what: str) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"{what} must be 1-{MAX_NAME_CHARS} characters")
    return name


def _reply_text(text: str) -> str:
    reply = text.strip() if isinstance(text, str) else ""
    if not reply:
        raise InvalidInput("a staff reply must not be empty")
    if len(reply) > MAX_REPLY_CHARS:
        raise InvalidInput(f"a staff reply must be at most {MAX_REPLY_CHARS} characters, got {len(reply)}")
    return reply


def _open_takeover(conn: Connection, session_id: str) -> tuple[int, str, str, datetime] | None:
    """(id, staff, display_name, started_at) of the session's open takeover, locked for update."""
    row = conn.execute(
        select(takeovers.c.id, takeovers.c.staff, takeovers.c.display_name, takeovers.c.started_at)
        .where(takeovers.c.session_id == session_id, takeovers.c.ended_at.is_(None))
        .with_for_update()  # PostgreSQL: a reply and a hand back cannot interleave (SQLite serialises writes anyway)
    ).first()
    return None if row is None else (int(row[0]), row[1], row[2], row[3])


def _held_by(conn: Connection, session_id: str, staff: str) -> tuple[int, str]:
    """(takeover id, display name) when ``staff`` holds the session, else ``TakeoverNotHeld``."""
    held = _open_takeover(conn, session_id)
    if held is None or held[1] != staff:
        raise TakeoverNotHeld(f"{staff} does not hold session {session_id}")
    return held[0], held[2]


def _record(conn: Connection, takeover_id: int, session_id: str, kind: str, text: str | None,
            log_sender: str, log_text: str, staff: str, agent: str) -> int:
    """Queue one event for the shopper and log it in the transcript; returns the event id."""
    now = _utcnow()
    event_id = int(conn.execute(insert(agent_events).values(
        takeover_id=takeover_id, session_id=session_id, kind=kind, text=text, created_at=now,
    )).inserted_primary_key[0])
    write_messages_in(conn, [LoggedMessage(
        event_id=f"agent_event:{event_id}", session_id=session_id, channel=None, customer_id=None,
        sender=log_sender, text=log_text, created_at=now, action=None if log_sender == "agent" else kind,
        payload={"staff": staff, "agent": agent},
    )])
    return event_id


@store_errors()
def take_over(engine: Engine, session_id: str, staff: str, *, display_name: str | None = None) -> None:
    """Let ``staff`` hold the conversation: the bot goes silent and the shopper is told.

    Taking over again by the holder is a no-op (a double click must not fail). Open
    handoff requests of the session are marked ``resolved``.

    Args:
        session_id: the conversation's session id (as logged).
        staff: the console's staff identity, kept in the log.
        display_name: what the shopper sees; defaults to ``staff``. A console that keeps
            login names private passes a first name here.

    Raises:
        InvalidInput: an empty or over-long staff or display name.
        ConversationNotFound: nothing has been logged for ``session_id``.
        TakeoverConflict: another staff member holds it.
    """
    staff = _name(staff, "staff")
    agent = _name(display_name if display_name is not None else staff, "display_name")
    try:
        with engine.begin() as conn:
            known = conn.execute(select(conversations.c.id).where(conversations.c.session_id == session_id)).first()
            if known is None:
                raise ConversationNotFound(f"no conversation {session_id!r}")
            held = _open_takeover(conn, session_id)
            if held is not None:
                if held[1] == staff:
                    return
                raise TakeoverConflict(f"session {session_id} is held by {held[1]}")
            takeover_id = int(conn.execute(insert(takeovers).values(
                session_id=session_id, staff=staff, display_name=agent, started_at=_utcnow(),
            )).inserted_primary_key[0])
            conn.execute(update(handoff_requests)
                         .where(handoff_requests.c.session_id == session_id, handoff_requests.c.status == "open")
                         .values(status=HANDOFF_RESOLVED))
            _record(conn, takeover_id, session_id, TAKEOVER_STARTED, None, "event", f"{agent} ({staff}) took over",
                    staff, agent)
    except IntegrityError as exc:  # lost a race: someone else took over between our read and write
        raise TakeoverConflict(f"session {session_id} was taken over meanwhile") from exc


@store_errors()
def post_staff_reply(engine: Engine, session_id: str, staff: str, text: str) -> int:
    """Queue ``text`` for the shopper (the live channel pushes it) and log it as sender ``agent``.

    Returns:
        The reply's event id.

    Raises:
        InvalidInput: empty (after stripping) or longer than ``MAX_REPLY_CHARS``.
        TakeoverNotHeld: ``staff`` does not hold the conversation (nothing is stored).
    """
    reply = _reply_text(text)
    with engine.begin() as conn:
        takeover_id, agent = _held_by(conn, session_id, staff)
        return _record(conn, takeover_id, session_id, AGENT_MESSAGE, reply, "agent", reply, staff, agent)


@store_errors()
def hand_back(engine: Engine, session_id: str, staff: str) -> None:
    """End ``staff``'s takeover: the shopper is told, and the bot answers their next message.

    Raises:
        TakeoverNotHeld: ``staff`` does not hold the conversation.
    """
    with engine.begin() as conn:
        takeover_id, agent = _held_by(conn, session_id, staff)
        conn.execute(update(takeovers).where(takeovers.c.id == takeover_id).values(ended_at=_utcnow()))
        _record(conn, takeover_id, session_id, TAKEOVER_ENDED, None, "event", f"{agent} ({staff}) handed back",
                staff, agent)


@store_errors()
def active_takeover(engine: Engine, session_id: str) -> Takeover | None:
    """Who holds the conversation now, or None when the bot is in charge."""
    with engine.connect() as conn:
        row = conn.execute(
            select(takeovers.c.staff, takeovers.c.started_at, takeovers.c.display_name)
            .where(takeovers.c.session_id == session_id, takeovers.c.ended_at.is_(None))
        ).first()
    return None if row is None else Takeover(row[0], row[1].replace(tzinfo=timezone.utc), row[2])


@store_errors()
def undelivered_agent_events(engine: Engine, session_ids: Iterable[str], *, limit: int = 500,
                             chunk: int = 500) -> list[AgentEvent]:
    """Events not yet pushed for any of ``session_ids``, oldest first (at most ``limit``).

    Reads only the partial index of undelivered rows; ids are sent in chunks so a
    process with thousands of live sockets stays under SQLite's bound-parameter limit.
    """
    wanted = sorted(set(session_ids))
    found: list[AgentEvent] = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), chunk):
            rows = conn.execute(
                select(agent_events.c.id, agent_events.c.session_id, agent_events.c.kind, takeovers.c.display_name,
                       agent_events.c.text, agent_events.c.created_at)
                .join(takeovers, takeovers.c.id == agent_events.c.takeover_id)
                .where(agent_events.c.delivered_at.is_(None), agent_events.c.session_id.in_(wanted[start:start + chunk]))
                .order_by(agent_events.c.id).limit(limit)
            ).all()
            found += [AgentEvent(int(r[0]), r[1], r[2], r[3], r[4], r[5].replace(tzinfo=timezone.utc)) for r in rows]
    return sorted(found, key=lambda event: event.id)[:limit]


@store_errors()
def mark_delivered(engine: Engine, event_ids: Sequence[int]) -> None:
    """Record that these events reached the shopper's socket or outbox (idempotent)."""
    if not event_ids:
        return
    with engine.begin() as conn:
        conn.execute(update(agent_events).where(agent_events.c.id.in_(list(event_ids)),
                                                agent_events.c.delivered_at.is_(None))
                     .values(delivered_at=_utcnow()))
