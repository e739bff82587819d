"""Rasa's SQL tracker store, made cheaper per turn (endpoints.yml: ``type:
bot.tracker_store.ShopTrackerStore``, with Rasa's usual ``dialect``/``db``/... keys).

Why: Rasa reads and writes the tracker synchronously on the server's event loop for
every turn, so no other shopper's message moves meanwhile.

- On SQLite its engine opened and closed a connection per session and committed in
  rollback-journal mode, two fsyncs per commit: 10 ms of each turn on our machine. With
  ``ecomai.store.db``'s engine (pooled connections, WAL, synchronous=NORMAL, a busy
  timeout) it is 4-5 ms. Other databases keep Rasa's engine, which already pools.
- Rasa's ``save`` read and rebuilt the whole conversation a second time only to find the
  events to publish to the event broker, which are the events it then inserts. We
  publish those same events, found by the one count Rasa's ``save`` makes anyway.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from ecomai.store.db import make_engine


class ShopTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose SQLite engine is ours; otherwise unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite":  # Rasa would fail to create tables in a missing folder
            Path(kwargs.get("db", "rasa.db")).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = make_engine(url.render_as_string(hide_password=False))
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` (publish the new events, then insert them), with
        the new events found once. Rasa's event difference is the tracker's events past
        those of the stored latest session, which is what ``_additional_events`` counts."""
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
            for event in new_events:
                session.add(self._row(tracker.sender_id, event))
            session.commit()

    def _row(self, sender_id: str, event: Event) -> Any:
        """The row Rasa's ``save`` writes for ``event``."""
        data = event.as_dict()
        return self.SQLEvent(sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                             intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             action_name=data.get("name"), data=json.dumps(data))
