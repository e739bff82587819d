"""Hybrid product search: BM25 (exact words, brands, model names) fused with dense
MiniLM similarity (paraphrases: "trainers" for sneakers, "something warm for winter")
by reciprocal rank, under the same filters.

A product counts as a match when a query word hits it lexically or its vector is close
enough: within ``similarity_margin`` of the best product's similarity and above a floor.
Every product has *some* cosine similarity to any text, so the floor is what keeps
gibberish from matching; it is higher (``unknown_words_similarity``) when no word of
the query occurs in the catalog at all, since then nothing lexical vouches for the
query. Measured on the demo catalog: "trainers" (a word the catalog never uses) is
0.40 close to trail shoes, "xyzzy plugh" at most 0.29 to anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ecomai.errors import InvalidInput
from ecomai.search.dense import DenseMatrix, SentenceEncoder, dense_text
from ecomai.search.fusion import reciprocal_rank_fusion
from ecomai.search.index import BM25ProductIndex, top_rows
from ecomai.search.query import ProductQuery
from ecomai.store.catalog import Product

_DTYPES = {"float16": torch.float16, "float32": torch.float32}
_SUBSET_SHARE = 0.3  # gathering rows costs about as much as scanning them; below this share it pays


@dataclass(frozen=True)
class HybridOptions:
    """How the two rankings are combined.

    Attributes:
        rrf_k: reciprocal-rank damping (60 is the published default).
        lexical_weight / dense_weight: weight of each ranking in the fusion.
        min_similarity: cosine similarity from which a product can match without a
            shared word.
        unknown_words_similarity: the same floor when no query word is in the catalog.
        similarity_margin: dense matches are at most this far below the best one.
        fusion_depth: how deep each ranking goes before fusing.
        vector_dtype: how product vectors are stored ("float16" or "float32").
    """

    rrf_k: float = 60.0
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    min_similarity: float = 0.2
    unknown_words_similarity: float = 0.35
    similarity_margin: float = 0.12
    fusion_depth: int = 100
    vector_dtype: str = "float16"

    def __post_init__(self) -> None:
        if self.rrf_k <= 0 or self.lexical_weight < 0 or self.dense_weight < 0 \
                or self.lexical_weight + self.dense_weight == 0:
            raise InvalidInput("rrf_k must be > 0 and the weights >= 0, not both 0")
        if not -1.0 <= self.min_similarity <= self.unknown_words_similarity <= 1.0:
            raise InvalidInput("need -1 <= min_similarity <= unknown_words_similarity <= 1")
        if self.similarity_margin < 0 or self.fusion_depth < 1:
            raise InvalidInput("similarity_margin must be >= 0 and fusion_depth >= 1")
        if self.vector_dtype not in _DTYPES:
            raise InvalidInput(f"vector_dtype must be one of {sorted(_DTYPES)}")


class HybridProductIndex(BM25ProductIndex):
    """BM25 + dense retrieval with reciprocal-rank fusion."""

    def __init__(self, products: Sequence[Product], encoder: SentenceEncoder, options: HybridOptions = HybridOptions(),
                 vectors: torch.Tensor | None = None, progress: bool = False) -> None:
        """
        Args:
            products: the catalog.
            encoder: sentence encoder for queries (and products, unless ``vectors``).
            vectors: saved unit vectors [len(products), H], row-aligned with ``products``.
        """
        super().__init__(products, progress)
        self.encoder = encoder
        self.options = options
        if vectors is None:
            vectors = encoder.embed([dense_text(p) for p in self.columns.products], progress=progress)
        if tuple(vectors.shape) != (len(self.columns), encoder.dimension):
            raise InvalidInput(f"vectors of shape {tuple(vectors.shape)} do not fit {len(self.columns)} products "
                               f"of dimension {encoder.dimension}")
        self._dense = DenseMatrix(vectors.to(encoder.device), _DTYPES[options.vector_dtype])

    def live_vectors(self) -> tuple[list[Product], torch.Tensor]:
        """The live products and their vectors (for saving)."""
        rows = sorted(self.columns.row_of.values())
        return [self.columns.products[r] for r in rows], self._dense.vectors[torch.tensor(rows)]

    def _ranked(self, query: ProductQuery, mask: np.ndarray, depth: int) -> tuple[np.ndarray, int]:
        if not query.text.strip():
            return self._by_rating(mask, depth)
        lexical = self._lexical.scores(query.text, len(self.columns))
        dense = self._similarities(self.encoder.embed_query(query.text), mask)
        options = self.options
        lexical_hits = mask & (lexical > 0) if lexical is not None else np.zeros_like(mask)
        dense_hits = dense_matches(dense, mask, lexical is not None, options)
        deep = max(depth, options.fusion_depth)
        rankings = [top_rows(lexical, lexical_hits, deep) if lexical is not None else np.zeros(0, np.int64),
                    top_rows(dense, dense_hits, deep)]
        fused = reciprocal_rank_fusion(rankings, (options.lexical_weight, options.dense_weight), options.rrf_k)
        return fused, int((lexical_hits | dense_hits).sum())

    def _similarities(self, query: torch.Tensor, mask: np.ndarray) -> np.ndarray:
        """Cosine similarity of each row to the ``query`` vector (float [rows]; -inf outside
        ``mask`` when the filters keep so few rows that scoring only those is cheaper)."""
        rows = np.flatnonzero(mask)
        if len(rows) > _SUBSET_SHARE * len(mask):
            return self._dense.scores(query)
        similarity = np.full(len(mask), -np.inf, dtype=np.float32)
        similarity[rows] = self._dense.scores(query, rows)
        return similarity

    def _index_rows(self, rows: np.ndarray, products: Sequence[Product]) -> None:
        super()._index_rows(rows, products)
        self._dense.append(self.encoder.embed([dense_text(p) for p in products]))


def dense_matches(similarity: np.ndarray, mask: np.ndarray, words_known: bool, options: HybridOptions) -> np.ndarray:
    """Rows of ``mask`` close enough to the query (bool [rows]); see the module docstring."""
    if not mask.any():
        return mask
    floor = options.min_similarity if words_known else options.unknown_words_similarity
    best = float(similarity[mask].max())
    return mask & (similarity >= max(floor, best - options.similarity_margin))
