"""The saved search index (``var/index/``): product vectors in safetensors plus a
manifest with checksums, so serving never re-embeds an unchanged catalog.

Only the vectors are saved: they cost minutes of encoder time, while the BM25 index
and the filter columns rebuild from the catalog in well under a second per 10,000
products. The manifest ties the vectors to the exact catalog (a checksum of every
product field), to the encoder that made them and to the vector file's own bytes;
anything that does not match means "stale", and the caller rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import astuple
from pathlib import Path
from typing import Sequence

import torch
from safetensors.torch import load_file, save_file

from ecomai.checksums import file_sha256
from ecomai.errors import ModelFileError
from ecomai.store.catalog import Product

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
VECTORS = "vectors.safetensors"
MANIFEST = "manifest.json"


def catalog_checksum(products: Sequence[Product]) -> str:
    """SHA-256 over every field of every product, in SKU order."""
    digest = hashlib.sha256()
    for product in sorted(products, key=lambda p: p.sku):
        digest.update(json.dumps(astuple(product), ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def save_vectors(directory: Path, products: Sequence[Product], vectors: torch.Tensor, encoder: str) -> None:
    """Write ``vectors`` [len(products), H] (any order; stored in SKU order) and the
    manifest. The manifest is written last, by rename, so a half-written index is never
    taken for a fresh one."""
    order = sorted(range(len(products)), key=lambda i: products[i].sku)
    directory.mkdir(parents=True, exist_ok=True)
    save_file({"vectors": vectors[torch.tensor(order)].float().cpu().contiguous()}, str(directory / VECTORS))
    manifest = {"format": FORMAT_VERSION, "catalog_sha256": catalog_checksum(products), "encoder": encoder,
                "count": len(products), "dimension": int(vectors.shape[1]),
                "vectors_sha256": file_sha256(directory / VECTORS)}
    partial = directory / f"{MANIFEST}.tmp"
    partial.write_text(json.dumps(manifest, indent=2))
    os.replace(partial, directory / MANIFEST)


def load_vectors(directory: Path, products: Sequence[Product], encoder: str) -> torch.Tensor | None:
    """Vectors [len(products), H] in SKU order when ``directory`` holds an index of exactly
    this catalog made by this encoder; None when it is missing or stale.

    Raises:
        ModelFileError: the manifest matches but the vector file is corrupt or truncated.
    """
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        return None
    if manifest.get("encoder") != encoder or manifest.get("catalog_sha256") != catalog_checksum(products):
        logger.info("search index in %s is stale (catalog or encoder changed)", directory)
        return None
    path = directory / VECTORS
    if not path.is_file() or file_sha256(path) != manifest.get("vectors_sha256"):
        raise ModelFileError(f"{path} does not match its manifest (corrupted or half-copied); run `ecomai index`")
    vectors = load_file(str(path))["vectors"]
    if tuple(vectors.shape) != (len(products), manifest.get("dimension")):
        raise ModelFileError(f"{path} holds vectors of shape {tuple(vectors.shape)}, expected "
                             f"({len(products)}, {manifest.get('dimension')})")
    return vectors
