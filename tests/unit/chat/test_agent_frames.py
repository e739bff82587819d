"""Human-takeover frames: what the widget is sent when staff step in, reply and step out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ecomai.chat import protocol
from ecomai.errors import InvalidInput


def test_agent_message_carries_the_agents_words_name_id_and_utc_time() -> None:
    sent = datetime(2024, 6, 1, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    frame = json.loads(protocol.encode_agent_event("agent_message", "Sam", 7, "Ça arrive demain 📦", sent))
    assert frame == {"type": "agent_message", "agent": "Sam", "text": "Ça arrive demain 📦", "id": 7,
                     "sent_at": "2024-06-01T12:30:05Z"}
    assert protocol.decode_server_frame(protocol.encode_agent_event("agent_message", "Sam", 7, "hi")) == {
        "type": "agent_message", "agent": "Sam", "text": "hi", "id": 7}


def test_takeover_notices_name_the_agent_and_the_return_to_the_bot() -> None:
    started = json.loads(protocol.encode_agent_event("takeover_started", "Sam", 1))
    ended = json.loads(protocol.encode_agent_event("takeover_ended", "Sam", 3, "ignored", datetime.now(timezone.utc)))
    assert started == {"type": "takeover_started", "agent": "Sam", "id": 1,
                       "text": "You're now chatting with Sam from our support team."}
    assert ended["type"] == "takeover_ended" and ended["agent"] == "Sam" and "sent_at" not in ended
    assert ended["text"].startswith("You're back with the shop assistant.")


@pytest.mark.parametrize(("kind", "text"), [("bot", "hi"), ("agent_message", None), ("agent_message", "")])
def test_unknown_kind_or_agent_message_without_text_is_refused(kind: str, text: str | None) -> None:
    with pytest.raises(InvalidInput):
        protocol.encode_agent_event(kind, "Sam", 1, text)
