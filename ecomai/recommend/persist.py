"""One recommender model = one ``.npz`` file, written atomically and checked on load.

One file, not a directory, because a file can be swapped atomically (``os.replace``):
a retrain writes a temporary file beside the old one, fsyncs it, renames it over the old
one and fsyncs the directory, so a reader sees either the whole old model or the whole
new one, never a mix, and a crash mid-write leaves the old model in place. Arrays are
stored without pickle (``allow_pickle=False``: loading never runs code); the manifest
(JSON, inside the file) carries a SHA-256 over every array's name, dtype, shape and
bytes, checked on every load, so a truncated or altered file is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ecomai.errors import ModelFileError

FORMAT = "ecomai-recommender"
VERSION = 1
_MANIFEST = "__manifest__"


def arrays_sha256(arrays: Mapping[str, np.ndarray]) -> str:
    """Digest of the arrays' names, dtypes, shapes and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def save_model_file(path: Path, manifest: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``manifest`` (JSON-able) to ``path``, replacing it atomically."""
    if _MANIFEST in arrays:
        raise ValueError(f"{_MANIFEST} is a reserved array name")
    if any(np.asarray(a).dtype.hasobject for a in arrays.values()):
        raise ValueError("object arrays would be pickled: store numbers or fixed-width strings")
    full = {**manifest, "format": FORMAT, "version": VERSION, "sha256": arrays_sha256(arrays)}
    encoded = np.frombuffer(json.dumps(full, sort_keys=True).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            np.savez(handle, **{_MANIFEST: encoded}, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def load_model_file(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a file written by ``save_model_file``.

    Raises:
        ModelFileError: missing, not one of our model files, damaged, or checksum mismatch.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise ModelFileError(f"no recommender model at {path}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as exc:
        raise ModelFileError(f"{path} is not a readable recommender model: {exc}") from None
    try:
        manifest = json.loads(arrays.pop(_MANIFEST).tobytes())
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"{path} has no valid manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not an {FORMAT} file")
    if manifest.get("version") != VERSION:
        raise ModelFileError(f"{path} has format version {manifest.get('version')}, expected {VERSION}")
    if manifest.get("sha256") != arrays_sha256(arrays):
        raise ModelFileError(f"{path} does not match its checksum (damaged or altered)")
    return manifest, arrays


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
