"""The model being served, swapped for a retrained one without a restart.

Each call costs one ``stat`` of the model file: when its (inode, size, mtime) changes,
the new file is loaded under a lock and replaces the old model for later calls, while
calls already holding the old model finish with it (it is an ordinary object in memory;
``save_model_file`` replaced the file atomically, so a half-written model is never read).
No model file: popularity, with one log line. A damaged new file is refused with an error
log and the model already loaded keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable, Mapping

from ecomai.errors import ModelFileError
from ecomai.recommend.model import CFRecommender

logger = logging.getLogger(__name__)

_Stamp = tuple[int, int, int]


class LiveRecommender:
    """Serves the model at ``path`` (or ``fallback()`` while there is none).

    Args:
        path: the model file ``ecomai train recommend`` writes.
        fallback: builds the model to serve while no file exists (popularity from the store).
        catalog: SKU -> category of the catalog as it is now (see ``CFRecommender.with_catalog``).
        device: where a loaded model runs (``ecomai.device.choose_placement``).
    """

    def __init__(self, path: Path, fallback: Callable[[], CFRecommender], catalog: Mapping[str, str],
                 device: str | None = None) -> None:
        self.path = path
        self._fallback_factory = fallback
        self._catalog = dict(catalog)
        self._device = device
        self._lock = threading.Lock()
        self._model: CFRecommender | None = None
        self._stamp: _Stamp | None = None
        self._fallback: CFRecommender | None = None

    def current(self) -> CFRecommender:
        """The model to answer this request with."""
        stamp = self._file_stamp()
        model = self._model
        if model is not None and stamp == self._stamp:
            return model
        with self._lock:
            if self._model is None or stamp != self._stamp:
                self._model = self._switch(stamp)
                self._stamp = stamp
            return self._model

    def _switch(self, stamp: _Stamp | None) -> CFRecommender:
        if stamp is None:
            logger.info("event=recommender_fallback reason=no_model path=%s serving=popularity", self.path)
            return self._popularity()
        try:
            model = CFRecommender.load(self.path, device=self._device).with_catalog(self._catalog)
        except ModelFileError as exc:
            logger.error("event=recommender_load_failed path=%s error=%s", self.path, exc)
            return self._model or self._popularity()
        logger.info("event=recommender_loaded path=%s kind=%s", self.path, model.kind)
        return model

    def _popularity(self) -> CFRecommender:
        if self._fallback is None:
            self._fallback = self._fallback_factory()
        return self._fallback

    def _file_stamp(self) -> _Stamp | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns
