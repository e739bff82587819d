"""What only the hybrid index does: paraphrases, the similarity floor, the fusion, and
the saved vectors (safetensors + manifest checksums)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from ecomai.errors import InvalidInput, ModelFileError
from ecomai.search.build import open_hybrid_index
from ecomai.search.dense import SentenceEncoder
from ecomai.search.fusion import reciprocal_rank_fusion
from ecomai.search.hybrid import HybridOptions, HybridProductIndex, dense_matches
from ecomai.search.index import BM25ProductIndex
from ecomai.search.query import parse_product_query
from ecomai.search.store import MANIFEST, VECTORS, catalog_checksum, load_vectors
from ecomai.store.catalog import Product
from tests.unit.search.conftest import product


def top_sku(index: BM25ProductIndex, text: str) -> str | None:
    result = index.search(parse_product_query(text, index.vocabulary))
    return result.products[0].sku if result.products else None


def test_a_paraphrase_with_no_shared_word_finds_the_product(catalog: list[Product], encoder: SentenceEncoder) -> None:
    hybrid, bm25 = HybridProductIndex(catalog, encoder), BM25ProductIndex(catalog)
    assert top_sku(bm25, "coat for snow") is None  # no catalog word in common...
    assert top_sku(hybrid, "coat for snow") == "SKU-00008"  # ...but the meaning is close


def test_rrf_fuses_by_rank_and_weights() -> None:
    fused = reciprocal_rank_fusion([np.array([1, 2, 3]), np.array([2, 3])], (1.0, 1.0), k=60)
    assert list(fused) == [2, 3, 1]  # 2 and 3 appear in both lists; 2 has the better ranks
    assert list(reciprocal_rank_fusion([np.array([1]), np.array([2])], (1.0, 0.0))) == [1, 2]
    assert len(reciprocal_rank_fusion([], [])) == 0
    with pytest.raises(InvalidInput):
        reciprocal_rank_fusion([np.array([1])], (-1.0,))


def test_dense_matches_use_the_margin_and_the_floors() -> None:
    similarity = np.array([0.50, 0.45, 0.30, 0.10], dtype=np.float32)
    everything = np.ones(4, dtype=bool)
    options = HybridOptions(min_similarity=0.2, unknown_words_similarity=0.4, similarity_margin=0.12)
    assert list(dense_matches(similarity, everything, True, options)) == [True, True, False, False]
    assert not dense_matches(similarity * 0.7, everything, False, options).any()  # best 0.35 < 0.4
    assert not dense_matches(similarity, np.zeros(4, dtype=bool), True, options).any()


@pytest.mark.parametrize("bad", [dict(rrf_k=0), dict(dense_weight=-1), dict(lexical_weight=0, dense_weight=0),
                                 dict(min_similarity=0.5, unknown_words_similarity=0.4), dict(fusion_depth=0),
                                 dict(vector_dtype="int8"), dict(similarity_margin=-0.1)])
def test_bad_options_are_refused_before_any_work(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput):
        HybridOptions(**bad)


def test_vectors_that_do_not_fit_the_catalog_are_refused(catalog: list[Product], encoder: SentenceEncoder) -> None:
    with pytest.raises(InvalidInput):
        HybridProductIndex(catalog, encoder, vectors=torch.zeros(3, encoder.dimension))


def test_index_is_saved_once_and_loaded_while_fresh(tmp_path: Path, catalog: list[Product],
                                                     encoder: SentenceEncoder) -> None:
    built = open_hybrid_index(catalog, tmp_path, encoder)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["count"] == len(catalog) and manifest["catalog_sha256"] == catalog_checksum(catalog)
    vectors = load_vectors(tmp_path, sorted(catalog, key=lambda p: p.sku), encoder.fingerprint)
    assert vectors is not None and tuple(vectors.shape) == (len(catalog), encoder.dimension)
    loaded = open_hybrid_index(list(reversed(catalog)), tmp_path, encoder)  # order does not matter
    assert top_sku(loaded, "electric kettle") == top_sku(built, "electric kettle") == "SKU-00007"


def test_a_changed_catalog_or_encoder_makes_the_index_stale(tmp_path: Path, catalog: list[Product],
                                                             encoder: SentenceEncoder) -> None:
    open_hybrid_index(catalog, tmp_path, encoder)
    cheaper = [*catalog[:-1], product("SKU-00008", "Glacier Navy Puffer Jacket", "jackets", "Ashby", "navy", 99.0)]
    assert load_vectors(tmp_path, cheaper, encoder.fingerprint) is None
    assert load_vectors(tmp_path, sorted(catalog, key=lambda p: p.sku), "another-encoder") is None
    assert load_vectors(tmp_path / "missing", catalog, encoder.fingerprint) is None


def test_corrupt_vectors_are_a_clear_error(tmp_path: Path, catalog: list[Product], encoder: SentenceEncoder) -> None:
    open_hybrid_index(catalog, tmp_path, encoder)
    data = bytearray((tmp_path / VECTORS).read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / VECTORS).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="ecomai index"):
        open_hybrid_index(catalog, tmp_path, encoder)
    assert open_hybrid_index(catalog, tmp_path, encoder, rebuild=True) is not None  # `ecomai index --force`


def test_upserted_products_get_vectors(catalog: list[Product], encoder: SentenceEncoder) -> None:
    index = HybridProductIndex(catalog, encoder)
    index.upsert([product("SKU-00100", "Velora Wool Scarf", "scarves", "Velora", "green", 25.0,
                          description="A thick knitted scarf to keep your neck warm.")])
    products, vectors = index.live_vectors()
    assert len(products) == len(vectors) == len(catalog) + 1
    assert top_sku(index, "knitted neck warmer") == "SKU-00100"
