"""Store objects as what staff see: plain dicts with every shopper-visible text masked.
The HTML templates and the JSON API both read these, so masking cannot differ between them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from ecomai.console.pii import mask_entities, mask_pii
from ecomai.store.conversation_list import ConversationPage, ConversationRow
from ecomai.store.dashboard import DashboardStats
from ecomai.store.takeover import Takeover
from ecomai.store.transcripts import TranscriptMessage


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def conversation_view(row: ConversationRow) -> dict[str, Any]:
    values = asdict(row)
    values.update(preview=mask_pii(row.preview), started_at=_iso(row.started_at),
                  last_event_at=_iso(row.last_event_at))
    return values


def page_view(page: ConversationPage) -> dict[str, Any]:
    return {"conversations": [conversation_view(row) for row in page.rows], "next_cursor": page.next_cursor}


def message_view(message: TranscriptMessage) -> dict[str, Any]:
    """A transcript line; entity values are masked as the text is (an e-mail entity is PII)."""
    values = asdict(message)
    values.update(
        text=mask_pii(message.text), created_at=_iso(message.created_at),
        entities=mask_entities(message.entities),
        payload=None,  # buttons and product cards are the bot's own words; the transcript shows text
        reviewable=message.sender == "user" and bool((message.text or "").strip()),
    )
    return values


def takeover_view(takeover: Takeover | None) -> dict[str, Any] | None:
    if takeover is None:
        return None
    return {"staff": takeover.staff, "display_name": takeover.display_name, "since": _iso(takeover.since)}


def stats_view(stats: DashboardStats) -> dict[str, Any]:
    values = asdict(stats)
    values.update(since=_iso(stats.since), until=_iso(stats.until),
                  per_day=[{"day": d, "conversations": n} for d, n in stats.per_day],
                  intents=[{"intent": i, "messages": n} for i, n in stats.intents])
    return values
