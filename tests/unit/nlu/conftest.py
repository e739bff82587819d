"""A tiny real BERT (2 layers, 32 wide, word-level vocabulary) written to disk once per
session, so NLU tests train and predict real models in well under a second."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import torch
from transformers import BertConfig, BertModel, BertTokenizerFast

from ecomai.nlu.model import ShopNluModel
from ecomai.nlu.train import TrainOptions, train_nlu

INTENTS = [
    ("where is my order", "order_status"), ("track my parcel", "order_status"), ("has my order shipped", "order_status"),
    ("where is my parcel now", "order_status"), ("order status please", "order_status"),
    ("track the order", "order_status"),
    ("i want to return these shoes", "return_item"), ("return my order", "return_item"),
    ("send the shoes back", "return_item"), ("i want a refund", "return_item"),
    ("how do i return this", "return_item"), ("refund my shoes", "return_item"),
    ("hello", "greet"), ("hi there", "greet"), ("good morning", "greet"), ("hey", "greet"),
    ("hello there", "greet"), ("hi", "greet"),
]
SENTIMENTS = [
    ("this is awful", "negative"), ("i hate this terrible shop", "negative"), ("worst service ever", "negative"),
    ("awful and terrible", "negative"), ("i love it", "positive"), ("great service thanks", "positive"),
    ("wonderful shoes i love them", "positive"), ("great great", "positive"), ("where is my order", "neutral"),
    ("the parcel is blue", "neutral"), ("order number please", "neutral"), ("it is a shoe", "neutral"),
]
WORDS = sorted({word for text, _ in INTENTS + SENTIMENTS for word in text.split()} | {"refund", "unknown"})
TINY_OPTIONS = TrainOptions(epochs=12, batch_size=8, learning_rate=5e-3, head_learning_rate=5e-2, warmup=0.0,
                            validation_fraction=0.2, dropout=0.0, device="cpu")


@pytest.fixture(scope="session")
def one_torch_thread() -> Iterator[None]:
    """Tiny models gain nothing from more threads, and on a busy shared machine idle
    OpenMP threads spinning against other jobs make them many times slower."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ECOMAI_TORCH_THREADS", "1")
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        yield
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory, one_torch_thread: None) -> Path:
    directory = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(directory / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(str(directory))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config, add_pooling_layer=False).save_pretrained(str(directory), safe_serialization=True)
    return directory


@pytest.fixture(scope="session")
def tiny_model(tiny_encoder_dir: Path) -> ShopNluModel:
    """A joint intent + sentiment model trained on the tiny data above (shared: read only)."""
    model, _ = train_nlu(INTENTS, SENTIMENTS, TINY_OPTIONS, encoder_dir=tiny_encoder_dir, progress=False)
    return model
