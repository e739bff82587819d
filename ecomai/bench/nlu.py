"""`ecomai bench nlu`: our fine-tuned intent classifier against Rasa's default pipeline
(CountVectorsFeaturizers + DIETClassifier at Rasa's default 100 epochs, read from Rasa's
own default config) on the same train/test split, in one run.

Ours runs in this process. The peer needs Rasa, which ecomai/ never imports, so it
runs as ``python -m bot.diet_peer`` in a subprocess; where Rasa is not installed (the
GPU machine) the peer is reported as not run. The two are run one after the other so
they never compete for the CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecomai.bench.classify import format_rows, score_run
from ecomai.bench.paired import differences, format_difference
from ecomai.config import REPO_ROOT
from ecomai.errors import InvalidInput
from ecomai.nlu.data import read_intent_csv
from ecomai.nlu.model import ShopNluModel
from ecomai.nlu.train import TrainOptions, train_nlu

OURS = "ecomai (MiniLM-L6 fine-tuned)"
PEER = "Rasa CountVectors + DIET"
WARM_UP = 20
LATENCY_MESSAGES = 200
BATCH_SIZE = 64


@dataclass(frozen=True)
class NluBenchOptions:
    """Attributes:
    train_csv / test_csv: the split (header ``text,category`` or ``text,label``).
    train: how to fine-tune ours (epochs, learning rate, device...).
    diet_epochs: DIET's epochs; None keeps Rasa's default pipeline's (100).
    skip_diet: run only ours.
    encoder_dir: encoder to fine-tune (default: the packaged all-MiniLM-L6-v2).
    """

    train_csv: Path
    test_csv: Path
    train: TrainOptions = TrainOptions()
    diet_epochs: int | None = None
    skip_diet: bool = False
    encoder_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.diet_epochs is not None and self.diet_epochs < 1:
            raise InvalidInput("diet_epochs must be >= 1")
        for path in (self.train_csv, self.test_csv):
            if not path.is_file():
                raise InvalidInput(f"{path} does not exist")


def run_nlu_bench(options: NluBenchOptions, progress: bool = True) -> dict[str, Any]:
    """Train and test both classifiers; returns ``{"config", "results": {name: row}}``, and
    ``"ours_minus_peer"`` (``ecomai.bench.paired.differences``) when the peer ran."""
    train = read_intent_csv(options.train_csv)
    test = read_intent_csv(options.test_csv)
    our_row, our_predictions = bench_ours(train, test, options, progress)
    results = {OURS: our_row}
    if progress:  # the peer may take long: show ours now, so an interrupted run still says something
        print(f"{OURS}: {json.dumps(results[OURS])}", file=sys.stderr, flush=True)
    results[PEER] = {"note": "skipped (--skip-diet)"} if options.skip_diet else bench_peer(options)
    peer_predictions = results[PEER].pop("predicted", None)
    config = {"train_csv": str(options.train_csv), "test_csv": str(options.test_csv), "train_examples": len(train),
              "test_examples": len(test), "intents": len({label for _, label in train}),
              "ours_options": options.train.__dict__, "diet_epochs": options.diet_epochs,
              "cpu_threads": _torch_threads()}
    result = {"config": config, "results": results}
    if peer_predictions is not None:
        result["ours_minus_peer"] = differences([label for _, label in test], our_predictions, peer_predictions)
    return result


def bench_ours(train: list[tuple[str, str]], test: list[tuple[str, str]], options: NluBenchOptions,
               progress: bool) -> tuple[dict[str, Any], list[str]]:
    """Fine-tune intent-only as the bot does (calibrate on a held-out tenth, then refit on
    every example, unless ``--no-refit``), then accuracy and calibration (batched),
    single-message latency and throughput. Returns the row and the predicted intents."""
    model, report = train_nlu(train, None, options.train, options.encoder_dir, progress)
    texts = [text for text, _ in test]
    started = time.perf_counter()
    predictions = model.predict(texts, batch_size=BATCH_SIZE)
    batch_seconds = time.perf_counter() - started
    row = score_run([label for _, label in test], [p.intent for p in predictions], report.train_seconds,
                    single_message_latencies(model, texts), len(texts), batch_seconds,
                    [p.confidence for p in predictions])
    row.update(device=report.device, validation=report.intent.__dict__, steps=report.steps, refitted=report.refitted)
    return row, [p.intent for p in predictions]


def single_message_latencies(model: ShopNluModel, texts: list[str]) -> list[float]:
    """Seconds to classify each of up to 200 messages alone, after a short warm-up:
    what one shopper waits for when nothing else arrives at the same time."""
    for text in texts[:WARM_UP]:
        model.predict([text])
    latencies = []
    for text in texts[:LATENCY_MESSAGES]:
        started = time.perf_counter()
        model.predict([text])
        latencies.append(time.perf_counter() - started)
    return latencies


def bench_peer(options: NluBenchOptions) -> dict[str, Any]:
    """Run ``bot.diet_peer`` in a subprocess; a missing Rasa is reported, not raised. The
    row carries the peer's predicted intents under ``predicted``, for the paired interval."""
    with tempfile.TemporaryDirectory(prefix="ecomai-bench-nlu-") as tmp:
        out = Path(tmp) / "diet.json"
        command = [sys.executable, "-m", "bot.diet_peer", "--train", str(options.train_csv),
                   "--test", str(options.test_csv), "--seed", str(options.train.seed), "--out", str(out)]
        if options.diet_epochs is not None:
            command += ["--epochs", str(options.diet_epochs)]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "RASA_TELEMETRY_ENABLED": "false",
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        finished = subprocess.run(command, cwd=REPO_ROOT, env=env, check=False)
        if finished.returncode != 0 or not out.is_file():
            return {"note": f"peer failed (exit {finished.returncode}); is Rasa installed here?"}
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def format_table(result: dict[str, Any]) -> str:
    """The bench result as a plain-text table plus a line on the split."""
    config = result["config"]
    intervals = ([format_difference("DIET", metric, result["ours_minus_peer"]) for metric in ("accuracy", "macro_f1")]
                 if "ours_minus_peer" in result else [])
    return "\n".join([format_rows(result["results"]), *intervals,
                      f"{config['train_examples']} train / {config['test_examples']} test messages, "
                      f"{config['intents']} intents; latency = one message alone; msg/s = batches of {BATCH_SIZE}"])


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())
