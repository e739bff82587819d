import csv
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from ecomai.config import REPO_ROOT
from ecomai.errors import InvalidInput
from ecomai.shop import ShopSize, write_demo_shop
from ecomai.store import create_return, init_database
from ecomai.store.schema import customers, interactions, orders, products, returns, shipments

from .conftest import TODAY

SHOP = REPO_ROOT / "data" / "shop"


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _csv_rows(name: str) -> int:
    with open(SHOP / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_seeded_counts_match_the_files(engine: Engine) -> None:
    for table in (products, customers, orders, shipments, interactions):
        assert _count(engine, table) == _csv_rows(table.name), table.name


def test_seeding_twice_does_not_duplicate(engine: Engine) -> None:
    before = _count(engine, interactions)
    counts = init_database(engine, SHOP, today=TODAY)
    assert set(counts.values()) == {0}
    assert _count(engine, interactions) == before


@pytest.fixture(scope="module")
def small_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small_shop")
    write_demo_shop(path, size=ShopSize(products_per_category=7, customers=5, orders=10, views_per_customer=(1, 2)))
    return path


def test_reset_reloads_shop_data(empty_engine: Engine, small_shop: Path) -> None:
    init_database(empty_engine, small_shop, today=TODAY)
    create_return(empty_engine, "EC100001", "the shoes", "too small", customer_id="C0001", today=TODAY)
    counts = init_database(empty_engine, small_shop, today=TODAY, reset=True)
    assert counts["orders"] == _count(empty_engine, orders) == 10
    assert _count(empty_engine, returns) == 0


def test_init_creates_parent_folder(empty_engine: Engine, tmp_path: Path, small_shop: Path) -> None:
    init_database(empty_engine, small_shop, today=TODAY)
    assert (tmp_path / "nested" / "empty.db").exists()


def test_missing_shop_files_are_reported(empty_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        init_database(empty_engine, tmp_path / "nowhere")
