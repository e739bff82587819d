"""Requests for a human agent, queued for the staff console."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from ecomai.store.db import store_errors
from ecomai.store.schema import conversations, handoff_requests


@store_errors()
def request_handoff(engine: Engine, session_id: str, reason: str) -> int:
    """Queue a handoff to a human for ``session_id`` and flag its conversation.

    Args:
        session_id: the chat session (Rasa sender id) the shopper is in.
        reason: why, for the agent (e.g. 'asked_for_human', 'negative_sentiment').

    Returns:
        The id of the new, 'open' handoff request.
    """
    with engine.begin() as conn:
        created = conn.execute(insert(handoff_requests).values(
            session_id=session_id, reason=reason, created_at=datetime.now(timezone.utc).replace(tzinfo=None),
            status="open"))
        conn.execute(update(conversations).where(conversations.c.session_id == session_id)
                     .values(handoff_requested=True))
        return int(created.inserted_primary_key[0])
