"""End-to-end fixtures: the real Rasa server (trained model, our websocket channel,
our event broker) and the real action server, on free ports, over a fresh demo DB;
and a real headless browser (Debian's chromium driven by Playwright) with screenshots
saved under test-artifacts/."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy.engine import Engine

from ecomai.service import Service, ServiceOptions, demo_database, free_port
from ecomai.store.db import make_engine

MODEL = Path(__file__).resolve().parents[2] / "models" / "ecomai.tar.gz"
SECRET = "e2e-test-secret-0123456789abcdef-0123456789"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Debian's chromium (the Makefile installs it); Playwright never downloads a browser here.
CHROMIUM = os.environ.get("ECOMAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


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

    @property
    def demo_url(self) -> str:
        return self.service.options.demo_url


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
        env={"ECOMAI_DATABASE_URL": url, "ECOMAI_TOKEN_SECRET": SECRET, "ECOMAI_VAR_DIR": str(var_dir),
             "ECOMAI_DEMO": "1"},
    )
    with Service(options) as service:
        yield RunningService(service, make_engine(url))


# Module scope: Playwright's sync API runs its own event loop, which must be gone before the
# next module's asyncio tests start theirs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


def launch_chromium(playwright: Playwright, extra_args: Sequence[str] = ()) -> Browser:
    """Headless Debian chromium with our flags plus ``extra_args`` (e.g. fake media devices)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One browser per test module; give each test its own ``browser.new_context()``."""
    launched = launch_chromium(playwright)
    yield launched
    launched.close()


def screenshot(page: Page, name: str) -> Path:
    """Save what ``page`` shows as test-artifacts/NAME.png (kept for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path))
    return path
