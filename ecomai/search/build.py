"""Opening the shop's product index: load saved vectors when they are fresh, else embed
the catalog and save them; BM25 alone (with a warning) when no encoder can be loaded,
so a shop without the ML extra still searches."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Sequence

from ecomai.config import Settings
from ecomai.device import choose_placement
from ecomai.errors import ModelFileError
from ecomai.search.dense import SentenceEncoder
from ecomai.search.hybrid import HybridOptions, HybridProductIndex
from ecomai.search.index import BM25ProductIndex, ProductIndex
from ecomai.search.store import load_vectors, save_vectors
from ecomai.store.catalog import Product

logger = logging.getLogger(__name__)


def open_hybrid_index(products: Sequence[Product], index_dir: Path, encoder: SentenceEncoder,
                      options: HybridOptions = HybridOptions(), rebuild: bool = False,
                      progress: bool = False) -> HybridProductIndex:
    """The hybrid index of ``products``, from ``index_dir`` when fresh, else built and saved there.

    Raises:
        ModelFileError: the saved vectors are corrupt (checksum mismatch).
    """
    ordered = sorted(products, key=lambda p: p.sku)  # saved vectors are in SKU order
    vectors = None if rebuild else load_vectors(index_dir, ordered, encoder.fingerprint)
    if vectors is not None:
        logger.info("search index loaded from %s (%d products)", index_dir, len(ordered))
        return HybridProductIndex(ordered, encoder, options, vectors=vectors)
    started = time.perf_counter()
    logger.warning("search index in %s missing or stale: embedding %d products", index_dir, len(ordered))
    index = HybridProductIndex(ordered, encoder, options, progress=progress)
    save_vectors(index_dir, *index.live_vectors(), encoder.fingerprint)
    logger.warning("search index built in %.1f s and saved to %s", time.perf_counter() - started, index_dir)
    return index


def load_sentence_encoder(settings: Settings, device: str | None = None) -> SentenceEncoder:
    """The MiniLM encoder (or ``ECOMAI_ENCODER_DIR``) on the chosen device.

    Raises:
        ModelFileError: no usable encoder.
    """
    from ecomai.nlu.encoder import default_encoder_dir

    return SentenceEncoder.load(default_encoder_dir(settings), choose_placement(device))


def shop_product_index(settings: Settings, products: Sequence[Product]) -> ProductIndex:
    """The index the shop serves from: hybrid, or BM25 alone if the encoder is unavailable."""
    try:
        encoder = load_sentence_encoder(settings)
    except ModelFileError as error:
        logger.warning("dense search unavailable (%s): serving BM25 only", error)
        return BM25ProductIndex(products)
    return open_hybrid_index(products, settings.search_index_dir, encoder)
