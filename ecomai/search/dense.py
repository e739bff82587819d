"""Dense retrieval: the MiniLM sentence encoder the NLU uses, products embedded once at
index time, and scoring as one matrix product on the index's device.

Vectors are mean-pooled and L2-normalised, so a dot product is the cosine similarity.
The product matrix lives on the device ``choose_placement`` picked (float16 on CUDA),
so on a GPU a query against a million products is one GEMV there; only the scores
come back to the CPU, where the filter masks are.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from tqdm import tqdm

from ecomai.device import Placement
from ecomai.nlu.encoder import Encoder, inference_embedder, load_encoder, tokenize
from ecomai.store.catalog import Product

MAX_DOC_TOKENS = 96
MAX_QUERY_TOKENS = 64
QUERY_CACHE = 1024  # shoppers repeat queries ("running shoes"); a repeat costs nothing


def dense_text(product: Product) -> str:
    """What the encoder reads of a product: name, category and the description's first
    sentence (the rest is care and warranty text that only dilutes the vector, and
    every extra token costs embedding time on a CPU)."""
    first_sentence = product.description.split(". ")[0].rstrip(".")
    return f"{product.name} ({product.category}). {first_sentence}."


class SentenceEncoder:
    """Texts -> unit vectors [N, H] on the encoder's device, with a small query cache."""

    def __init__(self, encoder: Encoder, fingerprint: str) -> None:
        self._encoder = encoder
        self.fingerprint = fingerprint
        self._cache: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._embed_batch = inference_embedder(encoder)  # ONNX Runtime on the CPU: indexing and queries

    @classmethod
    def load(cls, path: Path, placement: Placement) -> "SentenceEncoder":
        """Load the encoder in ``path`` onto ``placement`` (see ``ecomai.nlu.encoder``).

        Raises:
            ModelFileError: not a usable local encoder directory.
        """
        encoder = load_encoder(path, placement)
        encoder.model.eval()
        return cls(encoder, encoder_fingerprint(path))

    @property
    def device(self) -> torch.device:
        return next(self._encoder.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self._encoder.model.parameters()).dtype

    @property
    def dimension(self) -> int:
        return self._encoder.hidden_size

    @torch.inference_mode()
    def embed(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False,
              max_tokens: int = MAX_DOC_TOKENS) -> torch.Tensor:
        """Unit vectors [len(texts), H] in the encoder's dtype, on its device. Texts are
        sorted by length first so each batch pads to similar lengths."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = torch.empty((len(texts), self.dimension), dtype=self.dtype, device=self.device)
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="embedding products", unit="batch", disable=not progress):
            chunk = order[start : start + batch_size]
            batch = tokenize(self._encoder.tokenizer, [texts[i] for i in chunk], max_tokens).to(self.device)
            vectors = self._embed_batch(batch)
            out[torch.tensor(chunk, device=self.device)] = torch.nn.functional.normalize(vectors, dim=-1)
        return out

    def embed_query(self, text: str) -> torch.Tensor:
        """One query's unit vector [H] (cached: the last ``QUERY_CACHE`` distinct texts)."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        vector = self.embed([text], max_tokens=MAX_QUERY_TOKENS)[0]
        self._cache[text] = vector
        if len(self._cache) > QUERY_CACHE:
            self._cache.popitem(last=False)
        return vector


class DenseMatrix:
    """Product vectors, row-aligned with the catalog columns, on one device.

    Stored in float16 by default on every device: scoring one query is a scan of the
    whole matrix, bound by memory bandwidth, so half the bytes is about half the time
    (100,000 x 384 on this 2-core CPU: 16.5 ms in float32, 6.6 ms in float16), and
    unit vectors lose nothing that matters for ranking at that precision.
    """

    def __init__(self, vectors: torch.Tensor, dtype: torch.dtype = torch.float16) -> None:
        self.vectors = vectors.to(dtype)

    def append(self, vectors: torch.Tensor) -> None:
        self.vectors = torch.cat([self.vectors, vectors.to(self.vectors.device, self.vectors.dtype)])

    @torch.inference_mode()
    def scores(self, query: torch.Tensor, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity to ``query`` [H] of every row, or only of ``rows`` (a filter
        that keeps few rows then costs a fraction of the scan): float32, on the CPU."""
        matrix = self.vectors
        if rows is not None:
            matrix = matrix[torch.from_numpy(rows).to(matrix.device)]
        return (matrix @ query.to(matrix.device, matrix.dtype)).float().cpu().numpy()


def encoder_fingerprint(path: Path) -> str:
    """Identifies the encoder that made saved vectors: its config and vocabulary bytes
    and its weights' size (hashing hundreds of MB of weights at every start would cost
    more than it protects against; a retrained encoder changes the config or size)."""
    digest = hashlib.sha256()
    for name in ("config.json", "vocab.txt", "tokenizer.json"):
        if (path / name).is_file():
            digest.update(name.encode() + (path / name).read_bytes())
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (path / name).is_file():
            digest.update(f"{name}:{(path / name).stat().st_size}".encode())
    return digest.hexdigest()[:16]
