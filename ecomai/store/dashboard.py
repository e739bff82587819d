"""Numbers for the staff dashboard over a time window, each one query that an index or
the per-conversation summary answers (no Python-side pass over the message log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine

from ecomai.errors import InvalidInput
from ecomai.store.db import store_errors
from ecomai.store.schema import conversations, messages


@dataclass(frozen=True)
class DashboardStats:
    """Conversations are counted by when they started, messages by when they were sent.

    Rates are fractions of the window's conversations (fallback, handoff) or of its
    sentiment-labelled shopper messages (negative); None when there is nothing to divide.
    """

    since: datetime
    until: datetime
    conversations: int
    per_day: list[tuple[str, int]]
    intents: list[tuple[str, int]]
    fallback_rate: float | None
    negative_share: float | None
    handoff_rate: float | None
    median_latency_ms: float | None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median_latency(conn: Connection, in_window: object) -> float | None:
    m = messages.c
    timed = and_(in_window, m.sender == "bot", m.latency_ms.is_not(None))
    count = conn.execute(select(func.count()).where(timed)).scalar_one()
    if not count:
        return None
    middle = select(m.latency_ms).where(timed).order_by(m.latency_ms).offset((count - 1) // 2).limit(2 - count % 2)
    values = list(conn.execute(middle).scalars())
    return sum(values) / len(values)


@store_errors()
def dashboard_stats(engine: Engine, since: datetime, until: datetime) -> DashboardStats:
    """Everything the dashboard shows for conversations/messages in ``[since, until)`` (naive UTC)."""
    if since >= until:
        raise InvalidInput("since must be before until")
    c, m = conversations.c, messages.c
    started = and_(c.started_at >= since, c.started_at < until)
    sent = and_(m.created_at >= since, m.created_at < until)
    day = func.date(c.started_at)
    with engine.connect() as conn:
        total, fallback, handoff = conn.execute(select(
            func.count(), func.count().filter(c.has_fallback.is_(True)),
            func.count().filter(c.handoff_requested.is_(True))).where(started)).one()
        per_day = [(str(d), n) for d, n in conn.execute(
            select(day, func.count()).where(started).group_by(day).order_by(day))]
        intents = [(i, n) for i, n in conn.execute(
            select(m.intent, func.count()).where(sent, m.sender == "user", m.intent.is_not(None))
            .group_by(m.intent).order_by(func.count().desc(), m.intent))]
        labelled, negative = conn.execute(select(
            func.count(), func.count().filter(m.sentiment == "negative"))
            .where(sent, m.sender == "user", m.sentiment.is_not(None))).one()
        median = _median_latency(conn, sent)
    return DashboardStats(since, until, total, per_day, intents, _ratio(fallback, total),
                          _ratio(negative, labelled), _ratio(handoff, total), median)
