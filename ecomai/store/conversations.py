"""The conversation log: every user and bot message, written by our Rasa event broker
and read by the staff console.

Writes are idempotent by ``event_id``: the broker may retry a batch after a failure
(the database was locked or briefly gone) and nothing is ever logged twice. A batch is
one transaction, so a failed write leaves nothing half-done to confuse the retry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from sqlalchemy import Table, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from ecomai.errors import InvalidInput
from ecomai.store.conversation_summary import apply_summary, summarise
from ecomai.store.db import store_errors
from ecomai.store.schema import conversations
from ecomai.store.schema import messages as message_table

# 'agent' is a staff member's reply during a takeover; 'event' marks a takeover starting or
# ending (``action`` says which), so a transcript shows who spoke and when staff stepped in.
SENDERS = ("user", "bot", "agent", "event")


@dataclass(frozen=True)
class LoggedMessage:
    """One logged message of a conversation.

    Attributes:
        event_id: unique id of the source event (the idempotency key).
        session_id: the chat session (Rasa sender id).
        channel: input channel name, if known.
        customer_id: the verified customer, if known.
        sender: 'user', 'bot', 'agent' or 'event' (see ``SENDERS``).
        created_at: when it happened; naive values are taken as UTC.
        intent, confidence, entities: NLU result (user messages).
        action: the action that produced it (bot messages).
        latency_ms: time the bot took to respond, in milliseconds.
        payload: buttons or custom JSON sent with a bot message.
        from_speech: the user's text was transcribed from audio.
        sentiment, sentiment_score: the NLU's sentiment label and its probability (user messages).
    """

    event_id: str
    session_id: str
    channel: str | None
    customer_id: str | None
    sender: str
    text: str | None
    created_at: datetime
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Any, ...] = ()
    action: str | None = None
    latency_ms: float | None = None
    payload: dict[str, Any] | None = None
    from_speech: bool = False
    sentiment: str | None = None
    sentiment_score: float | None = None

    def __post_init__(self) -> None:
        if self.sender not in SENDERS:
            raise InvalidInput(f"sender must be one of {SENDERS}, got {self.sender!r}")
        if not self.event_id or not self.session_id:
            raise InvalidInput("event_id and session_id must not be empty")


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _insert_ignoring_duplicates(conn: Connection, table: Table, key: str) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for the dialects we support."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    raise InvalidInput(f"the conversation log supports SQLite and PostgreSQL, not {dialect}")


def _upsert_conversation(conn: Connection, batch: Sequence[LoggedMessage]) -> int:
    """Create the session's conversation if new, widen its time span, fill in what is now known."""
    session_id = batch[0].session_id
    first, last = min(_naive_utc(m.created_at) for m in batch), max(_naive_utc(m.created_at) for m in batch)
    conn.execute(_insert_ignoring_duplicates(conn, conversations, "session_id").values(
        session_id=session_id, started_at=first, last_event_at=last, handoff_requested=False))
    col = conversations.c
    changes: dict[str, Any] = {
        "started_at": case((col.started_at > first, first), else_=col.started_at),
        "last_event_at": case((col.last_event_at < last, last), else_=col.last_event_at),
    }
    for name in ("channel", "customer_id"):
        known = [getattr(m, name) for m in batch if getattr(m, name)]
        if known:
            changes[name] = known[-1]
    conn.execute(update(conversations).where(col.session_id == session_id).values(**changes))
    return int(conn.execute(select(col.id).where(col.session_id == session_id)).scalar_one())


def _message_row(message: LoggedMessage, conversation_id: int) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id, "event_id": message.event_id, "sender": message.sender,
        "text": message.text, "intent": message.intent, "confidence": message.confidence,
        "entities": json.dumps(list(message.entities), ensure_ascii=False, default=str),
        "action": message.action, "latency_ms": message.latency_ms,
        "payload": None if message.payload is None else json.dumps(message.payload, ensure_ascii=False, default=str),
        "from_speech": message.from_speech, "created_at": _naive_utc(message.created_at),
        "sentiment": message.sentiment, "sentiment_score": message.sentiment_score,
    }


@store_errors()
def write_messages(engine: Engine, messages: Sequence[LoggedMessage]) -> int:
    """Log a batch of messages in one transaction.

    Args:
        messages: in event order; may span several sessions.

    Returns:
        How many messages were new (already logged ``event_id``s are skipped).

    Raises:
        StoreUnavailable: the database is unreachable or locked; retrying the same
            batch later is safe.
    """
    if not messages:
        return 0
    with engine.begin() as conn:
        return write_messages_in(conn, messages)


def write_messages_in(conn: Connection, messages: Sequence[LoggedMessage]) -> int:
    """``write_messages`` inside the caller's transaction, so a change and its log rows commit together."""
    sessions: dict[str, list[LoggedMessage]] = {}
    for message in messages:
        sessions.setdefault(message.session_id, []).append(message)
    ids = {session_id: _upsert_conversation(conn, batch) for session_id, batch in sessions.items()}
    new: dict[str, list[LoggedMessage]] = {session_id: [] for session_id in sessions}
    for message in messages:
        statement = _insert_ignoring_duplicates(conn, message_table, "event_id")
        if conn.execute(statement.values(**_message_row(message, ids[message.session_id]))).rowcount:
            new[message.session_id].append(message)
    for session_id, fresh in new.items():  # only new rows: a retried batch must not count twice
        apply_summary(conn, ids[session_id], summarise(fresh))
    return sum(len(fresh) for fresh in new.values())


@store_errors()
def conversation_messages(engine: Engine, session_id: str) -> list[LoggedMessage]:
    """Every logged message of one session in time order (empty if none); times are UTC."""
    query = (select(message_table, conversations.c.session_id, conversations.c.channel, conversations.c.customer_id)
             .join(conversations, conversations.c.id == message_table.c.conversation_id)
             .where(conversations.c.session_id == session_id)
             .order_by(message_table.c.created_at, message_table.c.id))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [LoggedMessage(
        event_id=r["event_id"], session_id=r["session_id"], channel=r["channel"], customer_id=r["customer_id"],
        sender=r["sender"], text=r["text"], created_at=r["created_at"].replace(tzinfo=timezone.utc),
        intent=r["intent"], confidence=r["confidence"], entities=tuple(json.loads(r["entities"])),
        action=r["action"], latency_ms=r["latency_ms"],
        payload=None if r["payload"] is None else json.loads(r["payload"]), from_speech=bool(r["from_speech"]),
        sentiment=r["sentiment"], sentiment_score=r["sentiment_score"])
        for r in rows]
