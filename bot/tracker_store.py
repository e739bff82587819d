"""Rasa's SQL tracker store on our engine settings (endpoints.yml: ``type:
bot.tracker_store.ShopTrackerStore``, with Rasa's usual ``dialect``/``db``/... keys).

Why: Rasa reads and writes the tracker synchronously on the server's event loop for
every turn. On SQLite its engine opened and closed a connection per session and
committed in rollback-journal mode, two fsyncs per commit: 10 ms of each turn on our
machine, during which no other shopper's message moved. With ``ecomai.store.db``'s
engine (pooled connections, WAL, synchronous=NORMAL, a busy timeout) it is 4-5 ms. Other
databases keep Rasa's engine, which already pools.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
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
