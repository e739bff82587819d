from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.bench.stt import SttBenchOptions, load_pairs, word_error_rate
from ecomai.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "speech"


def test_wer_uses_whispers_english_normaliser() -> None:
    assert word_error_rate(["Where is my order?"], ["where's my order"]) == 0.0  # contractions expanded
    assert word_error_rate(["Where is my order?"], ["where is the order"]) == pytest.approx(1 / 4)
    assert word_error_rate(["Mr. Smith paid $5."], ["mister smith paid five dollars"]) == 0.0
    assert word_error_rate(["a b c", "d"], ["a x c", ""]) == pytest.approx(2 / 4)


def test_pairs_are_audio_files_with_a_transcript(tmp_path: Path) -> None:
    pairs, skipped = load_pairs(FIXTURES)
    assert [(name, ref) for name, _, ref in pairs] == [("payment_methods.wav", "what payment methods do you accept"),
                                                       ("where_is_my_order.wav", "where is my order")]
    assert skipped == []
    (tmp_path / "alone.wav").write_bytes((FIXTURES / "where_is_my_order.wav").read_bytes())
    with pytest.raises(InvalidInput, match="no audio file with a .txt"):
        load_pairs(tmp_path)
    with pytest.raises(InvalidInput):
        SttBenchOptions(tmp_path / "missing")
