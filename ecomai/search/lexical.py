"""BM25 over product text with bm25s, kept in step with catalog changes.

bm25s is a fast, maintained BM25 (sparse matrices, numpy scoring, ~1 ms a query at
100,000 products) but its index is immutable. Changes therefore go to a small second
segment that is re-indexed on every change (cheap: it holds only changed products),
and both segments are merged once the small one passes 10% of the big one. Between
merges the small segment's IDF comes from its own few documents; that skews scores
only for the handful of products changed since the last merge, and ``ecomai index``
rebuilds everything anyway. Words are Snowball-stemmed (PyStemmer, as bm25s
recommends), so "sneaker" finds "sneakers".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Sequence

import bm25s
import numpy as np
import Stemmer

# bm25s sets its own logger to DEBUG at import, which would print a line per index
# build whatever the application configured; leave the level to the application.
logging.getLogger("bm25s").setLevel(logging.NOTSET)
_STEMMER = Stemmer.Stemmer("english")
MERGE_FRACTION = 0.1
MIN_MERGE_DOCS = 1000


def _tokenize(texts: list[str], progress: bool = False) -> list[list[str]]:
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=progress)
    return [list(doc) for doc in tokens]


@dataclass
class _Segment:
    rows: np.ndarray  # row number of each of this segment's documents
    texts: list[str]
    bm25: bm25s.BM25 | None = None
    known: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, rows: np.ndarray, texts: list[str], progress: bool = False) -> "_Segment":
        segment = cls(np.asarray(rows, dtype=np.int64), list(texts))
        if texts:
            segment.bm25 = bm25s.BM25()
            segment.bm25.index(_tokenize(segment.texts, progress), show_progress=progress)
            segment.known = frozenset(segment.bm25.vocab_dict)
        return segment

    def add_scores(self, tokens: list[str], out: np.ndarray) -> bool:
        """Add this segment's BM25 scores into ``out`` at its rows; False if no token is known."""
        known = [t for t in tokens if t in self.known]
        if not known or self.bm25 is None:
            return False
        out[self.rows] += self.bm25.get_scores(known)
        return True


class LexicalIndex:
    """BM25 scores per catalog row for a query text."""

    def __init__(self, rows: Sequence[int], texts: list[str], progress: bool = False) -> None:
        self._main = _Segment.build(np.asarray(rows), texts, progress)
        self._delta = _Segment.build(np.zeros(0, dtype=np.int64), [])
        self._retired: set[int] = set()

    def add(self, rows: Sequence[int] | np.ndarray, texts: list[str]) -> None:
        """Index new documents at ``rows`` (new product versions)."""
        all_rows = np.concatenate([self._delta.rows, np.asarray(rows, dtype=np.int64)])
        self._delta = _Segment.build(all_rows, [*self._delta.texts, *texts])
        if len(self._delta.texts) > max(MIN_MERGE_DOCS, MERGE_FRACTION * len(self._main.texts)):
            self._merge()

    def retire(self, rows: Sequence[int]) -> None:
        """Forget ``rows`` at the next merge (the catalog mask already hides them)."""
        self._retired.update(int(r) for r in rows)

    def scores(self, text: str, n_rows: int) -> np.ndarray | None:
        """BM25 score of every row (float [n_rows], 0 where no word matches), or None
        when no word of ``text`` is in the catalog at all."""
        tokens = _tokenize([text])[0] if text.strip() else []
        out = np.zeros(n_rows, dtype=np.float32)
        found = [segment.add_scores(tokens, out) for segment in (self._main, self._delta)]
        return out if any(found) else None

    def _merge(self) -> None:
        keep = [(int(r), t) for segment in (self._main, self._delta) for r, t in zip(segment.rows, segment.texts)
                if int(r) not in self._retired]
        self._main = _Segment.build(np.array([r for r, _ in keep], dtype=np.int64), [t for _, t in keep])
        self._delta = _Segment.build(np.zeros(0, dtype=np.int64), [])
        self._retired.clear()
