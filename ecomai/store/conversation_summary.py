"""Per-conversation summary columns, kept up to date as messages are logged.

The staff console filters 100,000 conversations by "had a fallback", "low confidence",
"negative sentiment", "spoken"... Answering those from the messages table means an
aggregate over a million rows per page; instead the log writer folds each *new*
message into its conversation's row (same transaction, so the summary never disagrees
with the log), and the list query reads one indexed table. ``backfill_summaries``
computes them once for databases logged before the columns existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ecomai.store.schema import conversations, messages

FALLBACK_INTENTS = frozenset({"nlu_fallback"})
"""What Rasa's FallbackClassifier logs when the NLU was not confident enough."""
FALLBACK_ACTIONS = frozenset({"action_default_fallback"})
"""What Rasa's RulePolicy runs when the dialogue policies were not confident enough."""


class _Message(Protocol):  # LoggedMessage, or the bench's synthetic rows
    @property
    def sender(self) -> str: ...
    @property
    def intent(self) -> str | None: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def action(self) -> str | None: ...
    @property
    def sentiment(self) -> str | None: ...
    @property
    def from_speech(self) -> bool: ...


@dataclass(frozen=True)
class SummaryDelta:
    """What a batch of new messages adds to its conversation's summary."""

    message_count: int
    min_confidence: float | None
    has_fallback: bool
    has_negative: bool
    has_speech: bool


def summarise(batch: Iterable[_Message]) -> SummaryDelta:
    """Fold messages (new to the log) into one delta; pure, so the bench seeds with it too."""
    count, fallback, negative, speech = 0, False, False, False
    lowest: float | None = None
    for m in batch:
        count += 1
        fallback = fallback or m.intent in FALLBACK_INTENTS or (m.sender == "bot" and m.action in FALLBACK_ACTIONS)
        if m.sender != "user":
            continue
        if m.confidence is not None:
            lowest = m.confidence if lowest is None else min(lowest, m.confidence)
        negative = negative or m.sentiment == "negative"
        speech = speech or bool(m.from_speech)
    return SummaryDelta(count, lowest, fallback, negative, speech)


def apply_summary(conn: Connection, conversation_id: int, delta: SummaryDelta) -> None:
    """Merge ``delta`` into the conversation's row (NULL columns count as empty)."""
    if delta.message_count == 0:
        return
    col = conversations.c
    changes: dict[str, ColumnElement] = {
        "message_count": func.coalesce(col.message_count, 0) + delta.message_count,
        "has_fallback": or_(func.coalesce(col.has_fallback, False), delta.has_fallback),
        "has_negative": or_(func.coalesce(col.has_negative, False), delta.has_negative),
        "has_speech": or_(func.coalesce(col.has_speech, False), delta.has_speech),
    }
    if delta.min_confidence is not None:
        changes["min_confidence"] = case(
            (or_(col.min_confidence.is_(None), col.min_confidence > delta.min_confidence), delta.min_confidence),
            else_=col.min_confidence)
    conn.execute(update(conversations).where(col.id == conversation_id).values(**changes))


def backfill_summaries(conn: Connection) -> int:
    """Compute the summary of every conversation that has none yet (one UPDATE).

    Returns:
        How many conversations were filled in.
    """
    m, col = messages.c, conversations.c
    mine = m.conversation_id == col.id
    user = and_(mine, m.sender == "user")

    def any_of(condition: ColumnElement) -> ColumnElement:
        return exists().where(and_(mine, condition))

    fallback = or_(m.intent.in_(sorted(FALLBACK_INTENTS)),
                   and_(m.sender == "bot", m.action.in_(sorted(FALLBACK_ACTIONS))))
    result = conn.execute(update(conversations).where(col.message_count.is_(None)).values(
        message_count=select(func.count()).where(mine).scalar_subquery(),
        min_confidence=select(func.min(m.confidence)).where(user).scalar_subquery(),
        has_fallback=any_of(fallback),
        has_negative=any_of(and_(m.sender == "user", m.sentiment == "negative")),
        has_speech=any_of(and_(m.sender == "user", m.from_speech.is_(True))),
    ))
    return int(result.rowcount)
