"""The NLU bench's peer: Rasa's default intent pipeline (whitespace tokens, word and
char n-gram counts, DIET) trained and tested on a CSV split, metrics written as JSON.

Runs as ``python -m bot.diet_peer`` in its own process because ecomai/ never imports
Rasa; ``ecomai bench nlu`` starts it and merges its JSON with our model's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Sequence

from ecomai.bench.classify import score_run
from ecomai.nlu.data import read_intent_csv

WARM_UP = 20


def pipeline_config(epochs: int, seed: int) -> str:
    """Rasa's default NLU featurisation with DIET as the intent classifier."""
    return f"""recipe: default.v1
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    random_seed: {seed}
policies: []
"""


def run(train_csv: Path, test_csv: Path, epochs: int, seed: int) -> dict:
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    train = read_intent_csv(train_csv)
    test = read_intent_csv(test_csv)
    with tempfile.TemporaryDirectory(prefix="diet-peer-") as tmp:
        folder = Path(tmp)
        os.environ["RASA_CACHE_DIRECTORY"] = str(folder / "cache")  # no reuse of earlier runs
        data = TrainingData([Message.build(text=text, intent=label) for text, label in train])
        (folder / "nlu.yml").write_text(RasaYAMLWriter().dumps(data))
        (folder / "config.yml").write_text(pipeline_config(epochs, seed))
        started = time.perf_counter()
        model_path = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder / "models"))
        train_seconds = time.perf_counter() - started
        if model_path is None:
            raise RuntimeError("rasa train_nlu produced no model")
        predicted, latencies, seconds = asyncio.run(_parse_all(model_path, [text for text, _ in test]))
    result = score_run([label for _, label in test], predicted, train_seconds, latencies, len(test), seconds)
    result.update(epochs=epochs, note="Rasa parses one message at a time; msg/s is sequential parsing")
    return result


async def _parse_all(model_path: str, texts: Sequence[str]) -> tuple[list[str], list[float], float]:
    """Intent of every text, one ``parse_message`` at a time, with each call's latency."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    for text in texts[:WARM_UP]:
        await agent.parse_message(text)
    predicted, latencies = [], []
    started = time.perf_counter()
    for text in texts:
        begin = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append(time.perf_counter() - begin)
        predicted.append((parsed.get("intent") or {}).get("name") or "")
    return predicted, latencies, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.diet_peer", description=__doc__)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=300, help="DIET's default is 300")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="where to write the metrics JSON")
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.train, args.test, args.epochs, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
