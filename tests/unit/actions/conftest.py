"""Actions run in-process, as rasa-sdk's own tests run them: a real ``Tracker``, a real
``CollectingDispatcher``, the real domain from bot/domain.yml, and a real SQLite copy of
the demo shop that ``actions.base.shop()`` opens from ``ECOMAI_DATABASE_URL``.

The shop is seeded relative to ``date.today()`` because the actions measure return
windows and ETAs with ``actions.base.today()``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions import base
from ecomai.config import REPO_ROOT
from ecomai.store import init_database, make_engine

Domain = Dict[str, Any]


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The domain as the action server receives it (rasa sends the same dict shape)."""
    return yaml.safe_load((REPO_ROOT / "bot" / "domain.yml").read_text())


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed demo shop, seeded once per session relative to today."""
    path = tmp_path_factory.mktemp("actions-template") / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, REPO_ROOT / "data" / "shop")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def shared_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One runtime folder for the session, so the search index (saved product vectors,
    rebuilt only when the catalog changes) is embedded once, not once per test."""
    return tmp_path_factory.mktemp("actions-var")


@pytest.fixture
def shop_db(shop_template: Path, shared_var_dir: Path, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the seeded shop that the actions' ``shop()`` opens; returns its path."""
    path = tmp_path / "db" / "shop.db"
    path.parent.mkdir()
    with closing(sqlite3.connect(shop_template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    monkeypatch.setenv("ECOMAI_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("ECOMAI_TOKEN_SECRET", "actions-test-secret")  # no secret file under var/
    monkeypatch.setenv("ECOMAI_VAR_DIR", str(shared_var_dir))
    base.shop.cache_clear()
    yield path
    base.shop.cache_clear()


@pytest.fixture
def engine(shop_db: Path) -> Iterator[Engine]:
    """A second, independent engine on the test's database, for checking what actions wrote."""
    checker = make_engine(f"sqlite:///{shop_db}")
    yield checker
    checker.dispose()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
