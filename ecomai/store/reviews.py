"""Staff verdicts on what the NLU made of a shopper's message: the right intent, or
"out of scope" (nothing the shop's assistant should handle). They become training data
through ``ecomai export nlu``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from ecomai.errors import InvalidInput, NotFound
from ecomai.store.db import store_errors
from ecomai.store.schema import message_reviews, messages


@dataclass(frozen=True)
class Correction:
    """A reviewed shopper message: ``intent`` is None when it was marked out of scope."""

    message_id: int
    text: str
    intent: str | None
    out_of_scope: bool
    reviewer: str
    reviewed_at: datetime


@store_errors()
def review_message(engine: Engine, message_id: int, *, intent: str | None, reviewer: str, now: datetime) -> None:
    """Record (or replace) the verdict on one user message.

    Args:
        intent: the correct intent; None marks the message out of scope. The caller
            checks it against the domain (the store does not know the domain).

    Raises:
        NotFound: no such message. InvalidInput: it is not a shopper's text message.
    """
    with engine.begin() as conn:
        row = conn.execute(select(messages.c.sender, messages.c.text).where(messages.c.id == message_id)).first()
        if row is None:
            raise NotFound(f"no message {message_id}")
        if row.sender != "user" or not (row.text or "").strip():
            raise InvalidInput("only a shopper's text message can be reviewed")
        values = {"message_id": message_id, "intent": intent, "out_of_scope": intent is None,
                  "reviewer": reviewer, "reviewed_at": now}
        conn.execute(delete(message_reviews).where(message_reviews.c.message_id == message_id))
        conn.execute(insert(message_reviews).values(**values))


@store_errors()
def clear_review(engine: Engine, message_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(message_reviews).where(message_reviews.c.message_id == message_id))


@store_errors()
def corrections(engine: Engine) -> list[Correction]:
    """Every verdict with its message text, oldest first."""
    r = message_reviews.c
    query = (select(r.message_id, messages.c.text, r.intent, r.out_of_scope, r.reviewer, r.reviewed_at)
             .join(messages, messages.c.id == r.message_id).order_by(r.reviewed_at, r.message_id))
    with engine.connect() as conn:
        return [Correction(row.message_id, row.text or "", row.intent, bool(row.out_of_scope), row.reviewer,
                           row.reviewed_at) for row in conn.execute(query)]
