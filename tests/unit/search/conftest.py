from __future__ import annotations

import pytest

from ecomai.search.index import BM25ProductIndex
from ecomai.store.catalog import Product


def product(sku: str, name: str, category: str, brand: str, color: str, price: float, stock: int = 5,
            rating: float = 4.0, description: str = "") -> Product:
    return Product(sku=sku, name=name, description=description or name, category=category, brand=brand,
                   color=color, sizes=(), price=price, stock=stock, rating=rating, url=f"/products/{sku}")


@pytest.fixture
def catalog() -> list[Product]:
    return [
        product("SKU-00001", "Trailrunner Blue Running Shoes", "shoes", "Trailrunner", "blue", 89.0),
        product("SKU-00002", "Cityline Black Sneakers", "shoes", "Cityline", "black", 59.0),
        product("SKU-00003", "Nordlys Black Slim Jeans", "jeans", "Nordlys", "black", 49.0),
        product("SKU-00004", "Nordlys Blue Straight Jeans", "jeans", "Nordlys", "blue", 79.0, rating=4.8),
        product("SKU-00005", "Kova Red Maxi Dress", "dresses", "Kova", "red", 120.0),
        product("SKU-00006", "Kova Black Leather Bag", "bags", "Kova", "black", 150.0, stock=0),
        product("SKU-00007", "Ashby Steel Electric Kettle", "kitchen", "Ashby", "grey", 35.0,
                description="A quiet electric kettle that boils 1.7 litres fast."),
    ]


@pytest.fixture
def index(catalog: list[Product]) -> BM25ProductIndex:
    return BM25ProductIndex(catalog)
