from __future__ import annotations

import ast
import random
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ecomai.errors import InvalidInput
from ecomai.nlu import train as train_module
from ecomai.nlu.model import ShopNluModel
from ecomai.nlu.train import (GROUP_WINDOW, TrainOptions, TrainReport, length_grouped_batches, stratified_split,
                              train_nlu)

from .conftest import INTENTS, SENTIMENTS, TINY_OPTIONS


@pytest.mark.parametrize("bad", [
    {"epochs": 0}, {"batch_size": 0}, {"learning_rate": 0}, {"warmup": 1.0}, {"max_length": 4},
    {"validation_fraction": 0.6}, {"dropout": 1.0}, {"max_steps": 0}, {"weight_decay": -1},
    {"teachers": -1}, {"distill_temperature": 0}, {"distill_weight": 0}, {"distill_weight": 1.5},
    {"teacher_processes": 0},
])
def test_options_are_checked(bad: dict) -> None:
    with pytest.raises(InvalidInput):
        TrainOptions(**bad)


def test_split_is_stratified_and_keeps_every_label_in_train() -> None:
    examples = [(f"a{i}", "a") for i in range(10)] + [(f"b{i}", "b") for i in range(5)] + [("c", "c")]
    train, held_out = stratified_split(examples, 0.2, random.Random(0))
    assert sorted(label for _, label in held_out) == ["a", "a", "b"]
    assert {label for _, label in train} == {"a", "b", "c"}
    assert sorted(train + held_out) == sorted(examples)


def test_length_grouped_batches_cover_every_example_once_with_similar_lengths() -> None:
    examples = [("x" * random.Random(i).randint(1, 120), f"label{i % 3}") for i in range(GROUP_WINDOW * 8 * 2)]
    batches = length_grouped_batches(examples, 8, random.Random(0))
    assert sorted(e for batch in batches for e in batch) == sorted(examples)
    spread = sum(len(b[-1][0]) - len(b[0][0]) for b in batches) / len(batches)
    assert spread < 10  # random batches of 8 would spread ~90 characters
    assert batches == length_grouped_batches(examples, 8, random.Random(0))
    assert batches != length_grouped_batches(examples, 8, random.Random(1))


def test_bad_training_data_is_refused(tiny_encoder_dir: Path) -> None:
    with pytest.raises(InvalidInput, match="two intents"):
        train_nlu([("hi", "greet")], None, TINY_OPTIONS, encoder_dir=tiny_encoder_dir, progress=False)
    with pytest.raises(InvalidInput, match="sentiment labels"):
        train_nlu(INTENTS, [("meh", "angry")], TINY_OPTIONS, encoder_dir=tiny_encoder_dir, progress=False)


def test_same_seed_same_model(tiny_encoder_dir: Path) -> None:
    options = TrainOptions(**{**TINY_OPTIONS.__dict__, "max_steps": 4})
    runs = [train_nlu(INTENTS, SENTIMENTS, options, encoder_dir=tiny_encoder_dir, progress=False)[0]
            for _ in range(2)]
    texts = ["where is my order", "i love it"]
    assert runs[0].predict(texts) == runs[1].predict(texts)


def test_report_says_what_training_did(tiny_encoder_dir: Path) -> None:
    _, report = train_nlu(INTENTS, SENTIMENTS, TrainOptions(**{**TINY_OPTIONS.__dict__, "max_steps": 3}),
                          encoder_dir=tiny_encoder_dir, progress=False)
    assert report.steps == 3 and report.device == "cpu" and report.train_seconds >= 0
    assert report.intent.n_train + report.intent.n_validation == len(INTENTS)
    assert report.sentiment is not None and report.sentiment.n_validation > 0
    assert report.intent.ece_before is not None and report.intent.temperature > 0
    assert report.to_dict()["options"]["max_steps"] == 3


def test_refit_serves_a_model_of_every_example_with_the_held_out_temperatures(tiny_encoder_dir: Path) -> None:
    """The refitted model is the one trained on every example (the same weights as a run
    that holds nothing out), carrying the temperatures and held-out report of the
    calibrated first pass."""
    def train(options: TrainOptions) -> tuple[ShopNluModel, TrainReport]:
        return train_nlu(INTENTS, SENTIMENTS, options, encoder_dir=tiny_encoder_dir, progress=False)

    refitted, report = train(TINY_OPTIONS)
    first, first_report = train(replace(TINY_OPTIONS, refit=False))
    every, every_report = train(replace(TINY_OPTIONS, validation_fraction=0.0))
    assert report.refitted and not first_report.refitted and not every_report.refitted
    assert report.intent == first_report.intent and report.sentiment == first_report.sentiment
    assert report.steps == every_report.steps > first_report.steps
    assert (refitted.intent_temperature, refitted.sentiment_temperature) == \
        (first.intent_temperature, first.sentiment_temperature) != (1.0, 1.0)
    batch = refitted.tokenize(["where is my order", "i love it", "refund my shoes"])
    with torch.inference_mode():
        assert torch.allclose(refitted.logits(batch).intent, every.logits(batch).intent, atol=1e-5)
        assert not torch.allclose(refitted.logits(batch).intent, first.logits(batch).intent, atol=1e-3)


def test_teachers_change_the_served_model_and_count_in_training_time(tiny_encoder_dir: Path) -> None:
    """Distillation trains the teachers first (their seconds are reported), then a student
    with the same seed and schedule as the plain run, whose weights the soft targets move."""
    options = replace(TINY_OPTIONS, refit=False)
    plain, plain_report = train_nlu(INTENTS, SENTIMENTS, options, encoder_dir=tiny_encoder_dir, progress=False)
    distilled, report = train_nlu(INTENTS, SENTIMENTS, replace(options, teachers=2), encoder_dir=tiny_encoder_dir,
                                  progress=False)
    assert report.steps == plain_report.steps
    assert report.train_seconds > plain_report.train_seconds
    assert report.options.teachers == 2 and report.intent.temperature > 0
    batch = plain.tokenize(["where is my order", "i love it", "refund my shoes"])
    with torch.inference_mode():
        assert not torch.allclose(plain.logits(batch).intent, distilled.logits(batch).intent, atol=1e-4)
        assert not torch.allclose(plain.logits(batch).sentiment, distilled.logits(batch).sentiment, atol=1e-4)
    again, _ = train_nlu(INTENTS, SENTIMENTS, replace(options, teachers=2), encoder_dir=tiny_encoder_dir,
                         progress=False)
    assert again.predict(["where is my order", "i love it"]) == distilled.predict(["where is my order", "i love it"])


def test_teachers_never_see_the_tenth_that_fits_the_temperatures(tiny_encoder_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Teachers that had seen the held-out tenth would make it read easy and the fitted
    temperature too low; they train on exactly the first pass's training split."""
    passes: list[tuple[str, set[str]]] = []
    real_pass = train_module._train_and_calibrate

    def recording_pass(intents, sentiments, options, encoder_dir, progress, soft_targets, stage="fine-tuning"):
        passes.append((stage, {text for text, _ in [*intents, *(sentiments or ())]}))
        return real_pass(intents, sentiments, options, encoder_dir, progress, soft_targets, stage)

    monkeypatch.setattr(train_module, "_train_and_calibrate", recording_pass)
    options = replace(TINY_OPTIONS, max_steps=2, teachers=2, teacher_processes=1)  # in this process, for the spy
    train_nlu(INTENTS, SENTIMENTS, options, encoder_dir=tiny_encoder_dir, progress=False)
    rng = random.Random(options.seed)
    held_out = {text for examples in (INTENTS, SENTIMENTS)
                for text, _ in stratified_split(examples, options.validation_fraction, rng)[1]}
    every_text = {text for text, _ in INTENTS + SENTIMENTS}
    assert held_out and [stage for stage, _ in passes] == [
        "teacher 1/2", "teacher 2/2", "refit teacher 1/2", "refit teacher 2/2", "fine-tuning", "fine-tuning"]
    assert passes[0][1] == passes[1][1] == every_text - held_out
    assert passes[2][1] == passes[3][1] == every_text  # the refit's teachers learn what the refit learns
    assert passes[4][1] == passes[5][1] == every_text  # the first pass splits off the same tenth itself


def test_teachers_trained_side_by_side_in_processes_teach_what_one_process_teaches(tiny_encoder_dir: Path) -> None:
    """Worker processes (one torch thread each here) reproduce the in-process teachers
    exactly: same seeds, same data, same targets for every pass."""
    options = replace(TINY_OPTIONS, max_steps=3, teachers=2)
    passes_data = [(INTENTS[::2], SENTIMENTS[::2]), (INTENTS, SENTIMENTS)]
    alone, alone_seconds = train_module._teach(passes_data, replace(options, teacher_processes=1), tiny_encoder_dir,
                                               False)
    side_by_side, _ = train_module._teach(passes_data, replace(options, teacher_processes=2), tiny_encoder_dir, False)
    assert alone_seconds > 0 and len(alone) == len(side_by_side) == 2
    for one, other in zip(alone, side_by_side):
        assert one.rows == other.rows and set(one.probabilities) == {"intent", "sentiment"}
        for task in one.probabilities:
            assert torch.equal(one.probabilities[task], other.probabilities[task])
    assert alone[0].rows != alone[1].rows  # each pass's teachers saw that pass's data


def test_serving_modules_do_not_import_training() -> None:
    """The Rasa component and the server load ecomai.nlu.model; the optimiser, tqdm and
    calibration fitting stay out of that import graph."""
    package = Path(__file__).resolve().parents[3] / "ecomai" / "nlu"
    for name in ("model.py", "encoder.py", "data.py", "metrics.py"):
        tree = ast.parse((package / name).read_text())
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not modules & {"ecomai.nlu.train", "ecomai.nlu.calibration", "tqdm", "tqdm.auto"}, name
