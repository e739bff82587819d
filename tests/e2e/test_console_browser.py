"""The staff console in real headless chromium, as its own process (``ecomai console``)
over a database with a logged conversation and no bot running: log in, filter the list,
open a transcript, see the shopper's e-mail and card masked. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ecomai.config import REPO_ROOT
from ecomai.service import free_port
from ecomai.store.conversations import LoggedMessage, write_messages
from ecomai.store.db import create_schema, make_engine
from tests.e2e.conftest import screenshot

PASSWORD = "staff password 123"


def _log(session: str, n: int, sender: str, text: str, **fields: object) -> LoggedMessage:
    now = datetime.now(timezone.utc) - timedelta(minutes=30 - n)
    return LoggedMessage(event_id=f"{session}-{n}", session_id=session, channel="ecomai", customer_id=None,
                         sender=sender, text=text, created_at=now, **fields)


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{var_dir / 'console.db'}"
    engine = make_engine(url)
    create_schema(engine)
    write_messages(engine, [
        _log("browser-order", 1, "user", "my card 4242 4242 4242 4242 was charged, mail me at bob@example.com",
             intent="order_status", confidence=0.41, sentiment="negative", sentiment_score=0.8),
        _log("browser-order", 2, "bot", "Sorry about that! Which order is it?", action="utter_ask_order_number",
             latency_ms=210.0),
        _log("browser-hello", 3, "user", "hello", intent="greet", confidence=0.99, from_speech=True),
    ])
    engine.dispose()
    env = {**os.environ, "ECOMAI_DATABASE_URL": url, "ECOMAI_VAR_DIR": str(var_dir),
           "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-m", "ecomai.cli", "staff", "add", "sam", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, check=True, cwd=REPO_ROOT)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ecomai.cli", "console", "--port", str(port)], env=env,
                              cwd=REPO_ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the console did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_log_in_filter_open_transcript_and_see_masking(page: Page, console_url: str) -> None:
    page.goto(console_url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # nothing without a session
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(2)

    page.get_by_label("negative sentiment").check()
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("browser-order")
    expect(rows.first).to_contain_text("[card …4242]")
    screenshot(page, "console-list")

    page.get_by_role("link", name="browser-order").click()
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("[email b…@example.com]")
    expect(transcript).to_contain_text("order_status")
    expect(transcript).to_contain_text("210 ms")
    assert "bob@example.com" not in page.content() and "4242 4242" not in page.content()
    expect(page.get_by_role("button", name="Take over")).to_be_visible()
    expect(page.locator("#live-status")).to_contain_text("Live", timeout=10_000)  # the poll answers
    screenshot(page, "console-transcript")

    page.goto(console_url + "/dashboard")
    expect(page.locator("figure svg")).to_have_count(2)
    screenshot(page, "console-dashboard")
