from __future__ import annotations

import pytest

from ecomai.errors import InvalidInput
from ecomai.shop.judge import Meaning, grade, judge
from tests.unit.search.conftest import product

SNEAKER = product("S1", "Metro Black Sneakers", "shoes", "Velora", "black", 60.0, sizes=("42",))
LOAFER = product("S2", "Summit Black Loafers", "shoes", "Velora", "black", 70.0)
KETTLE = product("S3", "Bistro Red Kettle", "kitchen", "Solace", "red", 30.0, description="Boils fast.")


def test_exact_type_loses_a_grade_per_miss() -> None:
    meaning = Meaning("black velora sneakers", types=frozenset({"Sneakers"}), colors=frozenset({"black"}),
                      brand="Velora")
    assert grade(meaning, SNEAKER) == 3
    assert grade(Meaning("x", types=frozenset({"Sneakers"}), colors=frozenset({"red"})), SNEAKER) == 2
    assert grade(Meaning("x", types=frozenset({"Sneakers"}), colors=frozenset({"red"}), brand="Kova",
                         size="40"), SNEAKER) == 0


def test_out_of_stock_and_other_categories_are_irrelevant() -> None:
    sold_out = product("S4", "Metro Black Sneakers", "shoes", "Velora", "black", 60.0, stock=0)
    meaning = Meaning("sneakers", types=frozenset({"Sneakers"}))
    assert grade(meaning, sold_out) == 0 and grade(meaning, KETTLE) == 0


def test_near_types_and_cheap_and_concepts() -> None:
    rows = judge([Meaning("sneakers", types=frozenset({"Sneakers"}))], [SNEAKER, LOAFER, KETTLE])
    assert rows == [("Q001", "S1", 3), ("Q001", "S2", 1)]
    cheap = judge([Meaning("cheap shoes", category="shoes", cheap=True)], [SNEAKER, LOAFER])
    assert dict((sku, g) for _, sku, g in cheap) == {"S1": 3, "S2": 2}
    assert grade(Meaning("fast kettle", types=frozenset({"Kettle"}), concepts=("boils",)), KETTLE) == 3


def test_bad_meaning_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Meaning.from_dict({"q": "x", "colour": "red"})
