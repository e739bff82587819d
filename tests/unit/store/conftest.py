import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from ecomai.config import REPO_ROOT
from ecomai.store import init_database, make_engine

TODAY = date(2024, 6, 1)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed demo shop seeded once per test session (relative to TODAY)."""
    path = tmp_path_factory.mktemp("template") / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, REPO_ROOT / "data" / "shop", today=TODAY)
    engine.dispose()
    return path


@pytest.fixture
def engine(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the seeded database, so tests may change it freely."""
    path = tmp_path / "shop.db"
    with closing(sqlite3.connect(seeded_template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'empty.db'}")
    yield engine
    engine.dispose()
