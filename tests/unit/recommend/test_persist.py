"""Model files: atomic replacement, and refusal of anything damaged or foreign."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from ecomai.errors import ModelFileError
from ecomai.recommend.base import RecommendRequest
from ecomai.recommend.model import CFRecommender
from ecomai.recommend.persist import load_model_file, save_model_file
from tests.unit.recommend.conftest import CATALOG, SCORERS, tiny_history


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "models" / "model.npz"
    CFRecommender(SCORERS["ease"]()).fit(tiny_history(), CATALOG).save(path)
    return path


def test_flipped_byte_is_refused(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        CFRecommender.load(saved)


def test_truncated_file_is_refused(saved: Path) -> None:
    saved.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="not a readable"):
        CFRecommender.load(saved)


def test_consistently_rewritten_array_fails_the_checksum(saved: Path, tmp_path: Path) -> None:
    # A well-formed archive whose weights were altered: only our checksum can tell.
    with np.load(saved, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["scorer.weights"] = arrays["scorer.weights"] * 2
    np.savez(saved, **arrays)
    with pytest.raises(ModelFileError, match="checksum"):
        CFRecommender.load(saved)


def test_pickled_arrays_are_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, __manifest__=np.array([{"format": "ecomai-recommender"}], dtype=object))
    with pytest.raises(ModelFileError):
        load_model_file(path)


def test_other_files_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no recommender model"):
        load_model_file(tmp_path / "absent.npz")
    not_ours = tmp_path / "other.npz"
    np.savez(not_ours, weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="manifest"):
        load_model_file(not_ours)
    save_model_file(not_ours, {"kind": "transformer"}, {"x": np.zeros(2)})
    with pytest.raises(ModelFileError, match="unknown recommender kind"):
        CFRecommender.load(not_ours)


def test_a_reader_keeps_the_old_model_while_a_new_one_replaces_it(saved: Path) -> None:
    old = CFRecommender.load(saved)
    request = RecommendRequest("NEW", k=3)
    before = old.recommend(request)
    with zipfile.ZipFile(saved) as still_open:  # a reader mid-way through the old file
        CFRecommender(SCORERS["popularity"]()).fit(tiny_history()[:6], CATALOG).save(saved)
        assert still_open.testzip() is None  # the old file's bytes are intact for it
    assert old.recommend(request) == before
    assert CFRecommender.load(saved).kind == "popularity"
    assert [p.name for p in saved.parent.iterdir()] == ["model.npz"]  # no temp file left


def test_a_failed_write_leaves_the_old_model_and_no_temp_file(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = saved.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ecomai.recommend.persist.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        CFRecommender(SCORERS["popularity"]()).fit(tiny_history(), CATALOG).save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == ["model.npz"]
    assert CFRecommender.load(saved).kind == "ease"


def test_object_arrays_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pickled"):
        save_model_file(tmp_path / "m.npz", {}, {"bad": np.array([object()])})
    assert list(tmp_path.iterdir()) == []
