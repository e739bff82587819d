"""End-to-end fixtures: the real Rasa server (trained model, our websocket channel,
our event broker) and the real action server, on free ports, over a fresh demo DB."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from ecomai.service import Service, ServiceOptions, demo_database, free_port
from ecomai.store.db import make_engine

MODEL = Path(__file__).resolve().parents[2] / "models" / "ecomai.tar.gz"
SECRET = "e2e-test-secret-0123456789abcdef-0123456789"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)


@dataclass
class RunningService:
    service: Service
    engine: Engine

    @property
    def ws_url(self) -> str:
        return self.service.options.websocket_url

    @property
    def rest_url(self) -> str:
        return self.service.options.rest_url


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    var_dir = tmp_path_factory.mktemp("service")
    url = demo_database(var_dir)
    options = ServiceOptions(
        rasa_port=free_port(),
        actions_port=free_port(),
        model=MODEL,
        var_dir=var_dir,
        env={"ECOMAI_DATABASE_URL": url, "ECOMAI_TOKEN_SECRET": SECRET, "ECOMAI_VAR_DIR": str(var_dir)},
    )
    with Service(options) as service:
        yield RunningService(service, make_engine(url))
