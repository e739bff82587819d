"""Our Rasa event broker: every event from every channel passes through here, so the
conversation log is written in one place (not once per channel).

Rasa calls ``publish`` with each new tracker event as a dict; we turn user and bot
events into ``LoggedMessage`` rows and hand them to a background writer that
retries while the database is unavailable.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from asyncio import AbstractEventLoop
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from ecomai.config import Settings
from ecomai.store.conversations import LoggedMessage
from ecomai.store.db import create_schema, make_engine
from ecomai.store.log_writer import ConversationLogWriter

logger = logging.getLogger(__name__)

BOT_PAYLOAD_KEYS = ("buttons", "custom", "image", "attachment", "quick_replies", "elements")


@dataclass
class _SessionState:
    last_user_at: Optional[float] = None
    last_action: Optional[str] = None
    channel: Optional[str] = None
    customer_id: Optional[str] = None


@dataclass
class RasaEventTranslator:
    """Turns Rasa event dicts into LoggedMessages; remembers per conversation what a
    bot message needs (which action sent it, how long after the shopper spoke)."""

    max_sessions: int = 50_000  # oldest conversations are forgotten, bounding memory
    sessions: "OrderedDict[str, _SessionState]" = field(default_factory=OrderedDict)

    def translate(self, event: Dict[str, Any]) -> Optional[LoggedMessage]:
        kind = event.get("event")
        sender_id = event.get("sender_id")
        if not sender_id or kind not in ("user", "bot", "action"):
            return None
        state = self.sessions.setdefault(sender_id, _SessionState())
        self.sessions.move_to_end(sender_id)
        if len(self.sessions) > self.max_sessions:
            self.sessions.popitem(last=False)
        if kind == "action":
            state.last_action = event.get("name")
            return None
        if kind == "user":
            return self._user(sender_id, state, event)
        return self._bot(sender_id, state, event)

    def _user(self, sender_id: str, state: _SessionState, event: Dict[str, Any]) -> LoggedMessage:
        metadata = event.get("metadata") or {}
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        sentiment = parse.get("sentiment") or {}  # added by our NLU component (bot/components.py)
        state.last_user_at = event.get("timestamp")
        state.channel = event.get("input_channel") or state.channel
        state.customer_id = metadata.get("customer_id") or state.customer_id
        return LoggedMessage(
            event_id=event.get("message_id") or _event_id(sender_id, event),
            session_id=sender_id,
            channel=state.channel,
            customer_id=state.customer_id,
            sender="user",
            text=event.get("text"),
            created_at=_when(event),
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            entities=tuple(
                {k: e.get(k) for k in ("entity", "value", "start", "end", "extractor")}
                for e in parse.get("entities") or ()
            ),
            from_speech=bool(metadata.get("from_speech")),
            sentiment=sentiment.get("label"),
            sentiment_score=sentiment.get("score"),
        )

    def _bot(self, sender_id: str, state: _SessionState, event: Dict[str, Any]) -> LoggedMessage:
        data = event.get("data") or {}
        payload = {k: data[k] for k in BOT_PAYLOAD_KEYS if data.get(k)}
        timestamp = event.get("timestamp")
        latency_ms = None
        if timestamp is not None and state.last_user_at is not None:
            latency_ms = max(0.0, (timestamp - state.last_user_at) * 1000.0)
        metadata = event.get("metadata") or {}
        return LoggedMessage(
            event_id=_event_id(sender_id, event),
            session_id=sender_id,
            channel=state.channel,
            customer_id=state.customer_id,
            sender="bot",
            text=event.get("text"),
            created_at=_when(event),
            action=metadata.get("utter_action") or state.last_action,
            latency_ms=latency_ms,
            payload=payload or None,
        )


class ConversationLogBroker(EventBroker):
    """Configured in endpoints.yml as ``event_broker: type: bot.broker.ConversationLogBroker``."""

    def __init__(self, writer: ConversationLogWriter) -> None:
        self._writer = writer
        self._translator = RasaEventTranslator()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[AbstractEventLoop] = None
    ) -> "ConversationLogBroker":
        settings = Settings.from_env()
        engine = make_engine(settings.database_url)
        create_schema(engine)
        return cls(ConversationLogWriter(engine))

    def publish(self, event: Dict[Text, Any]) -> None:
        try:
            message = self._translator.translate(event)
        except Exception:  # noqa: BLE001 - a malformed event must not break the conversation
            logger.exception("could not translate event for the conversation log")
            return
        if message is not None:
            self._writer.submit(message)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._writer.close)


def _event_id(sender_id: str, event: Dict[str, Any]) -> str:
    key = f"{sender_id}|{event.get('event')}|{event.get('timestamp')}|{event.get('text')}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def _when(event: Dict[str, Any]) -> datetime:
    timestamp = event.get("timestamp")
    if timestamp is None:
        return datetime.now(timezone.utc)
    return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
