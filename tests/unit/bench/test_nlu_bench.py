from __future__ import annotations

from pathlib import Path

import pytest

from ecomai.bench.nlu import OURS, PEER, NluBenchOptions, format_table, run_nlu_bench
from ecomai.errors import InvalidInput
from ecomai.nlu.train import TrainOptions

from ..nlu.conftest import INTENTS, TINY_OPTIONS, one_torch_thread, tiny_encoder_dir  # noqa: F401 (fixtures)


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("text,label\n" + "".join(f"{text},{label}\n" for text, label in rows))
    return path


def test_bench_trains_and_scores_ours(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    train = write_csv(tmp_path / "train.csv", INTENTS)
    test = write_csv(tmp_path / "test.csv", INTENTS[::3])
    options = NluBenchOptions(train, test, TrainOptions(**{**TINY_OPTIONS.__dict__, "epochs": 3}), skip_diet=True,
                              encoder_dir=tiny_encoder_dir)
    result = run_nlu_bench(options, progress=False)
    ours = result["results"][OURS]
    assert set(ours) >= {"accuracy", "macro_f1", "train_seconds", "latency_ms", "messages_per_s", "validation"}
    assert ours["test_messages"] == 6 and ours["latency_ms"]["p95"] >= ours["latency_ms"]["p50"] > 0
    assert result["results"][PEER] == {"note": "skipped (--skip-diet)"}
    assert result["config"]["intents"] == 3 and "skipped" in format_table(result)


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        NluBenchOptions(tmp_path / "missing.csv", tmp_path / "missing.csv")
    train = write_csv(tmp_path / "train.csv", INTENTS)
    with pytest.raises(InvalidInput, match="diet_epochs"):
        NluBenchOptions(train, train, diet_epochs=0)


@pytest.mark.slow
def test_bench_runs_rasas_default_pipeline_beside_ours_and_says_how_sure_the_gap_is(
        tmp_path: Path, tiny_encoder_dir: Path) -> None:
    pytest.importorskip("rasa", reason="the DIET peer needs Rasa")
    train = write_csv(tmp_path / "train.csv", INTENTS)
    test = write_csv(tmp_path / "test.csv", INTENTS[::3])
    options = NluBenchOptions(train, test, TrainOptions(**{**TINY_OPTIONS.__dict__, "epochs": 3}), diet_epochs=2,
                              encoder_dir=tiny_encoder_dir)
    result = run_nlu_bench(options, progress=False)
    ours, peer = result["results"][OURS], result["results"][PEER]
    assert peer["test_messages"] == 6 and peer["epochs"] == 2
    assert "predicted" not in peer  # the peer's labels feed the interval, not the printed row
    gap = result["ours_minus_peer"]
    for metric in ("accuracy", "macro_f1"):
        assert gap[metric]["points"] == pytest.approx(100 * (ours[metric] - peer[metric]), abs=0.02)
        assert gap[metric]["ci95"][0] <= gap[metric]["ci95"][1]
    table = format_table(result)
    assert f"ours - DIET, accuracy: {gap['accuracy']['points']:+.2f} points, 95% CI" in table
    assert "ours - DIET, macro-F1:" in table
