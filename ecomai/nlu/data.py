"""Reading labelled examples: intent CSVs, our sentiment CSVs and Rasa's nlu.yml.

Pure parsing (plus file reads), no Rasa import: ``ecomai train`` must read the same
intent examples that ``rasa train`` does, also where Rasa is not installed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from ecomai.errors import InvalidInput

Example = tuple[str, str]  # (text, label)
SENTIMENT_LABELS = ("negative", "neutral", "positive")

# [value](entity), [value](entity:synonym), [value]{"entity": ...}, [value][{...}, {...}]
_ANNOTATION = re.compile(r"\[(?P<value>[^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_LIST_ITEM = re.compile(r"^\s*-\s+(?P<text>.*\S)\s*$")


def strip_annotations(text: str) -> str:
    """Plain text of a Rasa example: ``my [red](color) shoes`` -> ``my red shoes``."""
    return _ANNOTATION.sub(lambda match: match.group("value"), text)


def read_intent_csv(path: Path) -> list[Example]:
    """(text, intent) pairs of a CSV whose header has ``text`` and ``category`` or ``label``.

    Raises:
        InvalidInput: missing columns or an empty text/label.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        label_column = "category" if "category" in fields else "label"
        if "text" not in fields or label_column not in fields:
            raise InvalidInput(f"{path}: header must have text and category (or label), got {sorted(fields)}")
        return [_example(row["text"], row[label_column], path, number) for number, row in enumerate(reader, 2)]


def sentiment_files(path: Path) -> list[Path]:
    """The sentiment CSVs at ``path``: the file itself, or every ``*.csv`` of a directory
    (sorted by name, so training and Rasa's fingerprint see them in one order). Our data
    lives in several files by kind of talk (chat messages, product feedback).

    Raises:
        InvalidInput: a directory without any ``*.csv``.
    """
    if not path.is_dir():
        return [path]
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InvalidInput(f"{path}: no *.csv sentiment files")
    return files


def read_sentiment_data(path: Path) -> list[Example]:
    """(text, sentiment) pairs of one sentiment CSV or of all of a directory's (see
    :func:`sentiment_files`), each file validated by :func:`read_sentiment_csv`."""
    return [example for file in sentiment_files(path) for example in read_sentiment_csv(file)]


def read_sentiment_csv(path: Path) -> list[Example]:
    """(text, sentiment) pairs of one CSV under ``data/sentiment/`` (columns text,label[,intensity]).

    Raises:
        InvalidInput: a label other than negative/neutral/positive, or missing columns.
    """
    examples = read_intent_csv(path)
    unknown = {label for _, label in examples} - set(SENTIMENT_LABELS)
    if unknown:
        raise InvalidInput(f"{path}: sentiment labels must be {SENTIMENT_LABELS}, found {sorted(unknown)}")
    return examples


def read_rasa_intents(path: Path) -> list[Example]:
    """(text, intent) pairs of a Rasa 3 NLU YAML file, annotations stripped.

    Regex, lookup and synonym blocks are skipped: they are entity hints, not intents.
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path} is not valid YAML: {exc}") from exc
    examples: list[Example] = []
    for block in document.get("nlu") or []:
        if isinstance(block, dict) and "intent" in block:
            intent = str(block["intent"])
            examples.extend((text, intent) for text in _block_texts(block.get("examples")))
    return examples


def _block_texts(examples: Any) -> Iterable[str]:
    """Example texts of one intent block: a ``|`` string of ``- text`` lines, or a list of
    ``{"text": ...}`` mappings (the form that carries per-example metadata)."""
    if isinstance(examples, str):
        lines = (_LIST_ITEM.match(line) for line in examples.splitlines())
        raw = [match.group("text") for match in lines if match]
    elif isinstance(examples, list):
        raw = [str(item["text"]) if isinstance(item, dict) else str(item) for item in examples]
    else:
        raw = []
    return [text for text in (strip_annotations(item).strip() for item in raw) if text]


def _example(text: str | None, label: str | None, path: Path, line: int) -> Example:
    text, label = (text or "").strip(), (label or "").strip()
    if not text or not label:
        raise InvalidInput(f"{path}:{line}: empty text or label")
    return text, label
