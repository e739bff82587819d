"""One conversation as the staff console shows it: every message with what the NLU and
the dialogue made of it, and the staff's review verdict, in time order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from ecomai.errors import ConversationNotFound
from ecomai.store.db import store_errors
from ecomai.store.schema import conversations, message_reviews, messages


@dataclass(frozen=True)
class TranscriptMessage:
    """A logged message (texts unmasked: masking is the console's job at display time).

    ``latency_ms`` is how long after the shopper spoke the bot answered (bot messages);
    ``reviewed_intent``/``out_of_scope`` are a staff correction, if any.
    """

    id: int
    session_id: str
    sender: str
    text: str | None
    created_at: datetime
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]]
    action: str | None
    latency_ms: float | None
    from_speech: bool
    sentiment: str | None
    sentiment_score: float | None
    payload: dict[str, Any] | None
    reviewed_intent: str | None
    out_of_scope: bool


@dataclass(frozen=True)
class ConversationHeader:
    session_id: str
    channel: str | None
    customer_id: str | None
    started_at: datetime
    last_event_at: datetime
    handoff_requested: bool


def _message_query() -> Any:
    m, r = messages.c, message_reviews.c
    return (select(m.id, conversations.c.session_id, m.sender, m.text, m.created_at, m.intent, m.confidence,
                   m.entities, m.action, m.latency_ms, m.from_speech, m.sentiment, m.sentiment_score, m.payload,
                   r.intent.label("reviewed_intent"), r.out_of_scope)
            .join(conversations, conversations.c.id == m.conversation_id)
            .outerjoin(message_reviews, r.message_id == m.id)
            .order_by(m.created_at, m.id))


def _message(row: Any) -> TranscriptMessage:
    values = dict(row)
    values["entities"] = json.loads(values["entities"] or "[]")
    values["payload"] = None if values["payload"] is None else json.loads(values["payload"])
    values["from_speech"] = bool(values["from_speech"])
    values["out_of_scope"] = bool(values["out_of_scope"])
    return TranscriptMessage(**values)


def _messages(conn: Connection, *where: Any) -> list[TranscriptMessage]:
    return [_message(row) for row in conn.execute(_message_query().where(*where)).mappings()]


@store_errors()
def conversation_header(engine: Engine, session_id: str) -> ConversationHeader:
    """Raises ConversationNotFound if nothing was logged for ``session_id``."""
    c = conversations.c
    with engine.connect() as conn:
        row = conn.execute(select(c.session_id, c.channel, c.customer_id, c.started_at, c.last_event_at,
                                  c.handoff_requested).where(c.session_id == session_id)).mappings().first()
    if row is None:
        raise ConversationNotFound(f"no conversation {session_id!r}")
    return ConversationHeader(**{**row, "handoff_requested": bool(row["handoff_requested"])})


@store_errors()
def transcript(engine: Engine, session_id: str, after_id: int = 0) -> list[TranscriptMessage]:
    """Messages of ``session_id`` in time order; with ``after_id`` only newer rows
    (what a live transcript polls for). Empty for an unknown session."""
    with engine.connect() as conn:
        return _messages(conn, conversations.c.session_id == session_id, messages.c.id > after_id)


@store_errors()
def transcripts(engine: Engine, session_ids: Sequence[str]) -> list[TranscriptMessage]:
    """Messages of several sessions (one query), grouped by nothing: in time order."""
    if not session_ids:
        return []
    with engine.connect() as conn:
        return _messages(conn, conversations.c.session_id.in_(list(session_ids)))
