from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecomai.cli import main
from ecomai.nlu.model import ShopNluModel

from .conftest import INTENTS, SENTIMENTS


def test_ecomai_train_writes_the_model_and_prints_the_report(
        tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    intents: dict[str, list[str]] = {}
    for text, label in INTENTS:
        intents.setdefault(label, []).append(text)
    (tmp_path / "nlu.yml").write_text('version: "3.1"\nnlu:\n' + "".join(
        f"- intent: {label}\n  examples: |\n" + "".join(f"    - {text}\n" for text in texts)
        for label, texts in intents.items()))
    sentiment_dir = tmp_path / "sentiment"  # a directory: every CSV in it is read
    sentiment_dir.mkdir()
    half = len(SENTIMENTS) // 2
    for name, rows in (("messages.csv", SENTIMENTS[:half]), ("product_feedback.csv", SENTIMENTS[half:])):
        (sentiment_dir / name).write_text(
            "text,label,intensity\n" + "".join(f"{text},{label},1\n" for text, label in rows))
    out = tmp_path / "model"
    assert main(["train", "--nlu", str(tmp_path / "nlu.yml"), "--sentiment", str(sentiment_dir),
                 "--out", str(out), "--epochs", "2", "--batch-size", "8", "--device", "cpu",
                 "--encoder", str(tiny_encoder_dir), "--teachers", "1", "--distill-temperature", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model_dir"] == str(out) and report["sentiment"]["n_train"] > 0
    assert (report["options"]["teachers"], report["options"]["distill_temperature"]) == (1, 2.0)
    model = ShopNluModel.load(out)
    assert set(model.intent_labels) == {"order_status", "return_item", "greet"}
    assert model.sentiment_labels == ("negative", "neutral", "positive")
