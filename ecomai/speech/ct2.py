"""Read a CTranslate2 ``model.bin`` into named tensors, checking every length on the way.

Layout of binary format version 6 (little-endian; what ``ctranslate2.specs`` writes)::

    u32 version | str spec name | u32 spec revision | u32 n_variables
    n_variables x ( str name | u8 rank | rank x u32 dim | u8 dtype id | u32 n_bytes | n_bytes data )
    u32 n_aliases | n_aliases x ( str alias | str target )
    where str = u16 length (with the trailing NUL) | bytes | NUL

A file that ends early, has bytes left over, or whose sizes disagree with its shapes is a
``ModelFileError`` naming the file and the place, never a numpy or struct error: a
half-copied model must say so before anyone waits for a transcript.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from ecomai.errors import ModelFileError

SUPPORTED_VERSIONS = (6,)
# CTranslate2's DataType enum ids; bfloat16 has no numpy type and is read as int16 bits.
_DTYPES: Mapping[int, tuple[np.dtype, torch.dtype]] = {
    0: (np.dtype("<f4"), torch.float32),
    1: (np.dtype("i1"), torch.int8),
    2: (np.dtype("<i2"), torch.int16),
    3: (np.dtype("<i4"), torch.int32),
    4: (np.dtype("<f2"), torch.float16),
    5: (np.dtype("<i2"), torch.bfloat16),
}
_MAX_RANK = 8
_MAX_VARIABLES = 1_000_000


@dataclass(frozen=True)
class Ct2Model:
    """The variables of one CTranslate2 model.

    Attributes:
        spec: the model spec's class name, e.g. ``WhisperSpec``.
        revision: the spec's revision number.
        variables: name -> tensor (CPU, the file's dtype; scalars have shape ``()``).
        aliases: alias name -> the variable name it shares storage with (tied weights).
    """

    spec: str
    revision: int
    variables: Mapping[str, torch.Tensor]
    aliases: Mapping[str, str]

    def get(self, name: str) -> torch.Tensor:
        """The variable ``name``, following an alias; ModelFileError when it is missing."""
        tensor = self.variables.get(self.aliases.get(name, name))
        if tensor is None:
            raise ModelFileError(f"{self.spec} model has no variable {name!r}")
        return tensor


class _Cursor:
    """Bounds-checked reads over the mapped file."""

    def __init__(self, buffer: memoryview, path: Path) -> None:
        self.buffer, self.path, self.offset = buffer, path, 0

    def take(self, size: int, what: str) -> memoryview:
        end = self.offset + size
        if end > len(self.buffer):
            raise ModelFileError(
                f"{self.path} is truncated: {what} needs {size} bytes at offset {self.offset}, "
                f"the file has {len(self.buffer)}"
            )
        chunk = self.buffer[self.offset:end]
        self.offset = end
        return chunk

    def number(self, fmt: str, what: str) -> int:
        value: int = struct.unpack("<" + fmt, self.take(struct.calcsize(fmt), what))[0]
        return value

    def string(self, what: str) -> str:
        raw = bytes(self.take(self.number("H", what), what))
        if not raw or raw[-1] != 0:
            raise ModelFileError(f"{self.path} is corrupt: {what} at offset {self.offset} is not NUL-terminated")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError(f"{self.path} is corrupt: {what} is not UTF-8") from None


def read_ct2_model(path: Path) -> Ct2Model:
    """Parse ``path`` (a CTranslate2 ``model.bin``) completely.

    Args:
        path: the model file.

    Returns:
        Every variable as a CPU tensor in its stored dtype, and the aliases.

    Raises:
        ModelFileError: missing, empty, truncated, trailing bytes, unknown version or dtype,
            or a size that disagrees with the shape.
    """
    if not path.is_file() or path.stat().st_size == 0:
        raise ModelFileError(f"{path} is missing or empty")
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        view = memoryview(mapped)
        try:
            return _parse(_Cursor(view, path))
        finally:
            view.release()


def _parse(cursor: _Cursor) -> Ct2Model:
    version = cursor.number("I", "the format version")
    if version not in SUPPORTED_VERSIONS:
        raise ModelFileError(
            f"{cursor.path}: CTranslate2 binary format version {version} is not supported "
            f"(supported: {SUPPORTED_VERSIONS}); it may not be a CTranslate2 model at all"
        )
    spec = cursor.string("the spec name")
    revision = cursor.number("I", "the spec revision")
    count = cursor.number("I", "the variable count")
    if count > _MAX_VARIABLES:
        raise ModelFileError(f"{cursor.path} is corrupt: it claims {count} variables")
    variables = dict(_variable(cursor, index) for index in range(count))
    aliases = {}
    for _ in range(cursor.number("I", "the alias count")):
        alias = cursor.string("an alias name")
        aliases[alias] = cursor.string(f"the target of alias {alias!r}")
    if cursor.offset != len(cursor.buffer):
        raise ModelFileError(
            f"{cursor.path} is corrupt: {len(cursor.buffer) - cursor.offset} unexpected bytes after the end"
        )
    missing = {a: t for a, t in aliases.items() if t not in variables}
    if missing:
        raise ModelFileError(f"{cursor.path} is corrupt: aliases point at missing variables {missing}")
    return Ct2Model(spec=spec, revision=revision, variables=variables, aliases=aliases)


def _variable(cursor: _Cursor, index: int) -> tuple[str, torch.Tensor]:
    name = cursor.string(f"the name of variable {index}")
    rank = cursor.number("B", f"the rank of {name}")
    if rank > _MAX_RANK:
        raise ModelFileError(f"{cursor.path} is corrupt: {name} has rank {rank}")
    shape = tuple(cursor.number("I", f"the shape of {name}") for _ in range(rank))
    type_id = cursor.number("B", f"the dtype of {name}")
    if type_id not in _DTYPES:
        raise ModelFileError(f"{cursor.path}: {name} has unknown dtype id {type_id}")
    np_dtype, torch_dtype = _DTYPES[type_id]
    size = cursor.number("I", f"the byte size of {name}")
    expected = int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize
    if size != expected:
        raise ModelFileError(f"{cursor.path} is corrupt: {name} of shape {shape} has {size} bytes, not {expected}")
    array = np.frombuffer(cursor.take(size, f"the data of {name}"), dtype=np_dtype).reshape(shape)
    tensor = torch.from_numpy(array.copy())  # copied out of the mapping, which closes after reading
    return name, tensor.view(torch_dtype) if torch_dtype == torch.bfloat16 else tensor
