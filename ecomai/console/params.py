"""Query-string parameters of the conversation list (the page, the JSON API and the
export downloads share them) to a checked ``ConversationQuery``; pure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Mapping

from ecomai.errors import InvalidInput
from ecomai.store.conversation_list import ConversationQuery

FLAGS = ("fallback", "negative", "handoff", "spoken")


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2024-06-01, got {raw!r}") from None


def _on(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").strip().lower() in ("1", "on", "true", "yes")


def query_from_params(params: Mapping[str, str], low_confidence: float) -> ConversationQuery:
    """Build the list query; ``from``/``to`` are inclusive days (UTC).

    Args:
        params: text, from, to, intent, low_confidence, fallback, negative, handoff,
            spoken (flags: 1/on/true), channel, sort, limit, cursor.
        low_confidence: the threshold the ``low_confidence`` flag means.

    Raises:
        InvalidInput: a malformed date, number or value.
    """
    since, until = _day(params, "from"), _day(params, "to")
    try:
        limit = int(params.get("limit") or 50)
    except ValueError:
        raise InvalidInput("limit must be a number") from None
    return ConversationQuery(
        text=params.get("text", "").strip(),
        since=datetime.combine(since, time()) if since else None,
        until=datetime.combine(until + timedelta(days=1), time()) if until else None,
        intent=params.get("intent") or None,
        confidence_below=low_confidence if _on(params, "low_confidence") else None,
        channel=params.get("channel") or None,
        sort=params.get("sort") or "recent",
        limit=limit,
        cursor=params.get("cursor") or None,
        **{flag: _on(params, flag) for flag in FLAGS},
    )
