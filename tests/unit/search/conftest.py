"""A tiny real catalog, and every ProductIndex implementation over it: the shared tests
take ``index`` and run once per implementation. The hybrid uses the real MiniLM encoder
(loaded once per session, ~1 s), since a random tiny encoder would rank by noise."""

from __future__ import annotations

from typing import Iterator

import pytest
import torch

from ecomai.config import Settings
from ecomai.search.build import load_sentence_encoder
from ecomai.search.dense import SentenceEncoder
from ecomai.search.hybrid import HybridProductIndex
from ecomai.search.index import BM25ProductIndex
from ecomai.store.catalog import Product


def product(sku: str, name: str, category: str, brand: str, color: str, price: float, stock: int = 5,
            rating: float = 4.0, description: str = "", sizes: tuple[str, ...] = ()) -> Product:
    return Product(sku=sku, name=name, description=description or name, category=category, brand=brand,
                   color=color, sizes=sizes, price=price, stock=stock, rating=rating, url=f"/products/{sku}")


CATALOG = [
    product("SKU-00001", "Trailrunner Blue Running Shoes", "shoes", "Trailrunner", "blue", 89.0, sizes=("41", "42")),
    product("SKU-00002", "Cityline Black Sneakers", "shoes", "Cityline", "black", 59.0, sizes=("42", "43")),
    product("SKU-00003", "Nordlys Black Slim Jeans", "jeans", "Nordlys", "black", 49.0, sizes=("30", "32")),
    product("SKU-00004", "Nordlys Blue Straight Jeans", "jeans", "Nordlys", "blue", 79.0, rating=4.8, sizes=("32",)),
    product("SKU-00005", "Kova Red Maxi Dress", "dresses", "Kova", "red", 120.0, sizes=("S", "M")),
    product("SKU-00006", "Kova Black Leather Bag", "bags", "Kova", "black", 150.0, stock=0),
    product("SKU-00007", "Ashby Steel Electric Kettle", "kitchen", "Ashby", "grey", 35.0,
            description="A quiet electric kettle that boils 1.7 litres fast."),
    product("SKU-00008", "Glacier Navy Puffer Jacket", "jackets", "Ashby", "navy", 180.0, sizes=("M", "L"),
            description="A puffer jacket filled with recycled down for cold winter mornings."),
]


@pytest.fixture(scope="session")
def one_thread() -> Iterator[None]:
    """One torch thread: tiny batches gain nothing from more on a shared machine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ECOMAI_TORCH_THREADS", "1")  # read by choose_placement
        before = torch.get_num_threads()
        yield
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def encoder(one_thread: None) -> SentenceEncoder:
    loaded = load_sentence_encoder(Settings(), device="cpu")
    loaded.embed(["warm up"])  # torch's first call is slow; pay it here, once
    return loaded


@pytest.fixture
def catalog() -> list[Product]:
    return list(CATALOG)


@pytest.fixture(params=["bm25", "hybrid"])
def index(request: pytest.FixtureRequest, catalog: list[Product]) -> BM25ProductIndex:
    if request.param == "bm25":
        return BM25ProductIndex(catalog)
    return HybridProductIndex(catalog, request.getfixturevalue("encoder"))
