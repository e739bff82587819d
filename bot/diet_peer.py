"""The NLU bench's peer: Rasa's default NLU pipeline (whitespace tokens, regex and
lexical-syntactic features, word and char n-gram counts, DIET at 100 epochs) trained and
tested on a CSV split, metrics written as JSON.

Runs as ``python -m bot.diet_peer`` in its own process because ecomai/ never imports
Rasa; ``ecomai bench nlu`` starts it and merges its JSON with our model's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Sequence

from ecomai.bench.classify import score_run
from ecomai.nlu.data import read_intent_csv

WARM_UP = 20

# Components of Rasa's default pipeline that play no part in classifying intents:
# synonyms and response selection need data BANKING77 lacks, and the fallback would
# replace low-confidence intents with nlu_fallback, which neither side is scored with.
NOT_INTENT_CLASSIFICATION = frozenset({"EntitySynonymMapper", "ResponseSelector", "FallbackClassifier"})


def default_pipeline(epochs: int | None, seed: int) -> list[dict]:
    """The NLU pipeline Rasa itself uses when a config names none (and that ``rasa init``
    writes): its own ``default_config.yml``, read from the installed Rasa, so the peer is
    Rasa's default and not our idea of it. ``epochs`` None keeps Rasa's default (100)."""
    import rasa.engine.recipes.default_recipe as recipe_module
    from rasa.shared.utils.io import read_config_file

    default = read_config_file(str(Path(recipe_module.__file__).parent / "config_files" / "default_config.yml"))
    pipeline = [dict(component) for component in default["pipeline"]
                if component["name"] not in NOT_INTENT_CLASSIFICATION]
    for component in pipeline:
        if component["name"] == "DIETClassifier":
            component["random_seed"] = seed
            if epochs is not None:
                component["epochs"] = epochs
    return pipeline


def diet_epochs(pipeline: list[dict]) -> int:
    return int(next(c for c in pipeline if c["name"] == "DIETClassifier")["epochs"])


def run(train_csv: Path, test_csv: Path, epochs: int | None, seed: int) -> dict:
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.utils.io import write_yaml
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parsed message at debug level

    train = read_intent_csv(train_csv)
    test = read_intent_csv(test_csv)
    with tempfile.TemporaryDirectory(prefix="diet-peer-") as tmp:
        folder = Path(tmp)
        os.environ["RASA_CACHE_DIRECTORY"] = str(folder / "cache")  # no reuse of earlier runs
        data = TrainingData([Message.build(text=text, intent=label) for text, label in train])
        (folder / "nlu.yml").write_text(RasaYAMLWriter().dumps(data))
        pipeline = default_pipeline(epochs, seed)
        write_yaml({"recipe": "default.v1", "language": "en", "pipeline": pipeline, "policies": []},
                   folder / "config.yml")
        started = time.perf_counter()
        model_path = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder / "models"))
        train_seconds = time.perf_counter() - started
        if model_path is None:
            raise RuntimeError("rasa train_nlu produced no model")
        predicted, confidences, latencies, seconds = asyncio.run(_parse_all(model_path, [text for text, _ in test]))
    result = score_run([label for _, label in test], predicted, train_seconds, latencies, len(test), seconds,
                       confidences)
    result.update(epochs=diet_epochs(pipeline), pipeline=[c["name"] for c in pipeline],
                  note="Rasa parses one message at a time; msg/s is sequential parsing",
                  predicted=predicted)  # for the bench's paired interval; it takes them out of the row
    return result


async def _parse_all(model_path: str,
                     texts: Sequence[str]) -> tuple[list[str], list[float], list[float], float]:
    """Intent and confidence of every text, one ``parse_message`` at a time, with each
    call's latency."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    for text in texts[:WARM_UP]:
        await agent.parse_message(text)
    predicted, confidences, latencies = [], [], []
    started = time.perf_counter()
    for text in texts:
        begin = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append(time.perf_counter() - begin)
        intent = parsed.get("intent") or {}
        predicted.append(intent.get("name") or "")
        confidences.append(float(intent.get("confidence") or 0.0))
    return predicted, confidences, latencies, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.diet_peer", description=__doc__)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--epochs", type=int, help="DIET's epochs (default: Rasa's default pipeline's, 100)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="where to write the metrics JSON")
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.train, args.test, args.epochs, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
