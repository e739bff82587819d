"""A synthetic catalog of any size for scaling runs, from the demo shop's own words
(ecomai/shop/vocabulary.py), so queries written for the demo shop make sense against
it. Names repeat at large sizes, as variants do in real shops; SKUs never do."""

from __future__ import annotations

import random
from typing import Iterator

from ecomai.errors import InvalidInput
from ecomai.shop.vocabulary import ADJECTIVES, BRANDS, CATEGORIES, COLOURS, DESCRIPTION_TEMPLATES
from ecomai.store.catalog import Product

MAX_SYNTHETIC = 5_000_000


def synthetic_products(count: int, seed: int = 7) -> Iterator[Product]:
    """``count`` products spread evenly over the demo categories (deterministic for a seed)."""
    if not 1 <= count <= MAX_SYNTHETIC:
        raise InvalidInput(f"a synthetic catalog has 1..{MAX_SYNTHETIC} products, not {count}")
    rng = random.Random(seed)
    categories = list(CATEGORIES.items())
    for number in range(count):
        category, words = categories[number % len(categories)]
        noun, phrase = rng.choice(words.nouns)
        model, colour, brand = rng.choice(words.models), rng.choice(COLOURS), rng.choice(BRANDS)
        description = rng.choice(DESCRIPTION_TEMPLATES).format(
            color=colour, phrase=phrase, brand=brand, model=model, material=rng.choice(words.materials),
            feature=rng.choice(words.features), use=rng.choice(words.uses), adjective=rng.choice(ADJECTIVES))
        low, high = words.price_range
        yield Product(sku=f"SYN-{number:07d}", name=f"{model} {colour.capitalize()} {noun}",
                      description=f"{description[0].upper()}{description[1:]} {rng.choice(words.extras)}",
                      category=category, brand=brand, color=colour, sizes=words.sizes,
                      price=rng.randint(low * 100, high * 100) / 100, stock=0 if rng.random() < 0.08 else 10,
                      rating=round(rng.uniform(1.5, 5.0), 1), url=f"/products/SYN-{number:07d}")
