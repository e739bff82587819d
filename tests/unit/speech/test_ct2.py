from __future__ import annotations

import struct
from pathlib import Path

import pytest
import torch

from ecomai.errors import ModelFileError
from ecomai.speech.ct2 import read_ct2_model
from tests.unit.speech.ct2_writer import write_ct2

VARIABLES = {"a/weight": torch.arange(6, dtype=torch.float16).reshape(2, 3),
             "a/bias": torch.tensor([1.5, -2.0], dtype=torch.float32),
             "heads": torch.tensor(6, dtype=torch.int16)}


@pytest.fixture()
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.bin"
    write_ct2(path, "TestSpec", VARIABLES, {"b/weight": "a/weight"})
    return path


def test_reads_names_shapes_dtypes_values_and_aliases(model_file: Path) -> None:
    model = read_ct2_model(model_file)
    assert (model.spec, model.revision, model.aliases) == ("TestSpec", 3, {"b/weight": "a/weight"})
    for name, tensor in VARIABLES.items():
        assert model.variables[name].dtype == tensor.dtype and torch.equal(model.variables[name], tensor)
    assert torch.equal(model.get("b/weight"), VARIABLES["a/weight"]) and int(model.get("heads")) == 6
    with pytest.raises(ModelFileError, match="no variable 'c'"):
        model.get("c")


@pytest.mark.parametrize("keep", [0, 3, 20, 60, -1])
def test_truncated_file_is_a_clear_model_file_error(model_file: Path, keep: int) -> None:
    data = model_file.read_bytes()
    model_file.write_bytes(data[:keep] if keep >= 0 else data[:-1])
    with pytest.raises(ModelFileError, match="truncated|missing or empty") as info:
        read_ct2_model(model_file)
    assert str(model_file) in str(info.value)


def test_trailing_bytes_wrong_version_and_wrong_sizes_are_refused(model_file: Path) -> None:
    good = model_file.read_bytes()
    model_file.write_bytes(good + b"\0")
    with pytest.raises(ModelFileError, match="1 unexpected bytes after the end"):
        read_ct2_model(model_file)
    model_file.write_bytes(struct.pack("<I", 99) + good[4:])
    with pytest.raises(ModelFileError, match="version 99 is not supported"):
        read_ct2_model(model_file)
    # The first variable's byte count (after version, spec, revision, count, name, rank, 2 dims, dtype).
    offset = 4 + 2 + len(b"TestSpec\0") + 4 + 4 + 2 + len(b"a/weight\0") + 1 + 8 + 1
    model_file.write_bytes(good[:offset] + struct.pack("<I", 10) + good[offset + 4:])
    with pytest.raises(ModelFileError, match=r"a/weight of shape \(2, 3\) has 10 bytes, not 12"):
        read_ct2_model(model_file)


def test_not_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_text("<html>404 Not Found</html>")
    with pytest.raises(ModelFileError, match="not supported"):
        read_ct2_model(path)
    with pytest.raises(ModelFileError, match="missing or empty"):
        read_ct2_model(tmp_path / "absent.bin")
