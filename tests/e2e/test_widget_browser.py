"""The shopper widget in real headless chromium, on the demo shop page, against the real
service: typed and spoken questions, product cards, quick replies, a dropped socket,
keyboard-only use and a phone-sized screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, WebSocketRoute, expect

from tests.e2e.conftest import RunningService, launch_chromium, screenshot
from tests.e2e.test_conversations import logged

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
REPLY_MS = 90_000  # a turn on a busy 2-core machine; the first also warms the model up
LAUNCHER = "Chat with ecomai demo shop"


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield ctx
    ctx.close()


def open_widget(page: Page, running: RunningService, query: str = "") -> Locator:
    """Load the demo page, open the chat and wait until the session is up; returns the panel."""
    page.goto(running.demo_url + query)
    page.get_by_role("button", name=LAUNCHER).click()
    panel = page.get_by_role("dialog")
    expect(panel.get_by_role("status").first).to_have_text("Online", timeout=REPLY_MS)
    return panel


def ask(panel: Locator, text: str) -> None:
    box = panel.get_by_role("textbox", name="Type your message")
    box.fill(text)
    box.press("Enter")


def bot_said(panel: Locator, pattern: str) -> Locator:
    return panel.locator(".msg.bot").filter(has_text=re.compile(pattern, re.I))


def session_id(page: Page) -> str:
    return json.loads(page.evaluate("sessionStorage.getItem('ecomai:session')"))


def test_typed_question_gets_its_answer(context: BrowserContext, running: RunningService) -> None:
    page = context.new_page()
    panel = open_widget(page, running)
    ask(panel, "what payment methods do you accept?")

    expect(panel.locator(".msg.user .text").last).to_have_text("what payment methods do you accept?")
    expect(bot_said(panel, "PayPal")).to_be_visible(timeout=REPLY_MS)
    expect(panel.locator(".typing")).to_be_hidden()
    screenshot(page, "widget-typed-answer")


def test_product_search_shows_cards(context: BrowserContext, running: RunningService) -> None:
    page = context.new_page()
    panel = open_widget(page, running)
    ask(panel, "show me black jeans under $80")

    cards = panel.locator(".cards .card")
    expect(cards.first).to_be_visible(timeout=REPLY_MS)
    first = cards.first
    expect(first.locator("h3")).to_contain_text(re.compile("jeans", re.I))
    expect(first.locator(".price")).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    expect(first.locator(".stock")).to_have_text(re.compile("In stock|Only \\d+ left|Out of stock"))
    expect(first.locator(".rating .sr")).to_contain_text("out of 5")
    assert first.get_by_role("link").get_attribute("href").startswith(running.demo_url.split("/webhooks")[0])
    row = panel.locator(".cards").first
    assert row.evaluate("el => getComputedStyle(el).overflowX") == "auto"  # one horizontally scrolling row
    screenshot(page, "widget-product-cards")


def test_quick_reply_sends_its_payload_and_shows_its_title(context: BrowserContext, running: RunningService) -> None:
    page = context.new_page()
    panel = open_widget(page, running)
    ask(panel, "hello")
    button = panel.get_by_role("group", name="Suggested replies").get_by_role("button", name="Where is my order?")
    expect(button).to_be_visible(timeout=REPLY_MS)
    button.click()

    expect(panel.locator(".msg.user .text").last).to_have_text("Where is my order?")
    expect(bot_said(panel, "order number")).to_be_visible(timeout=REPLY_MS)
    expect(panel.get_by_role("group", name="Suggested replies")).to_have_count(0)  # used up
    screenshot(page, "widget-quick-reply")


def test_dropped_socket_reconnects_to_the_same_session_and_loses_nothing(
    context: BrowserContext, running: RunningService
) -> None:
    """The socket is cut and reconnects are held off for a while: the widget says so, keeps
    the message typed meanwhile, and sends it into the same session once it is back."""
    routes: list[WebSocketRoute] = []
    offline = {"on": False}

    def route(ws: WebSocketRoute) -> None:
        routes.append(ws)
        if not offline["on"]:
            ws.connect_to_server()  # else the page talks to nobody until we close it

    page = context.new_page()
    page.route_web_socket(re.compile(r".*/webhooks/ecomai/ws$"), route)
    panel = open_widget(page, running)
    ask(panel, "hello")
    expect(bot_said(panel, "assistant")).to_be_visible(timeout=REPLY_MS)
    before = session_id(page)

    offline["on"] = True
    routes[-1].close(code=1001)
    expect(panel.get_by_role("status").first).to_have_text("Reconnecting…")
    ask(panel, "what payment methods do you accept?")
    expect(panel.locator(".msg.user.queued")).to_contain_text("payment methods")
    screenshot(page, "widget-reconnecting")

    offline["on"] = False
    routes[-1].close(code=1001)  # the stalled attempt fails; the next one reaches the server
    expect(bot_said(panel, "PayPal")).to_be_visible(timeout=REPLY_MS)
    expect(panel.get_by_role("status").first).to_have_text("Online")
    expect(panel.locator(".msg.user.queued")).to_have_count(0)
    assert session_id(page) == before
    users = [r.text for r in logged(running, before, expected_user_messages=2) if r.sender == "user"]
    assert users == ["hello", "what payment methods do you accept?"]


def test_keyboard_only(context: BrowserContext, running: RunningService) -> None:
    page = context.new_page()
    page.goto(running.demo_url)
    for _ in range(10):  # tab through the shop's page to the launcher
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id === 'ecomai-widget'"):
            break
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog")
    box = panel.get_by_role("textbox", name="Type your message")
    expect(box).to_be_focused()
    expect(panel.get_by_role("status").first).to_have_text("Online", timeout=REPLY_MS)

    page.keyboard.press("Enter")  # empty: nothing is sent
    page.keyboard.type("how much is shipping?")
    page.keyboard.press("Shift+Enter")  # a new line, not a send
    assert box.input_value() == "how much is shipping?\n"
    expect(panel.locator(".msg.user")).to_have_count(0)
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(panel.locator(".msg.user .text")).to_have_text(["how much is shipping?"])
    expect(bot_said(panel, "shipping")).to_be_visible(timeout=REPLY_MS)

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_phone_layout_fills_the_screen_and_survives_the_shop_css(browser: Browser, running: RunningService) -> None:
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        panel = open_widget(page, running, "?signed_in=1")
        expect(page.locator(".account")).to_contain_text("Signed in as Alice")
        ask(panel, "where is my order EC100002?")
        expect(bot_said(panel, "EC100002")).to_be_visible(timeout=REPLY_MS)  # signed in: no e-mail asked
        box = panel.bounding_box()
        assert box == {"x": 0, "y": 0, "width": 375, "height": 667}
        send = panel.get_by_role("button", name="Send message")
        # The demo page styles every button hotpink at 30px !important; the Shadow DOM keeps ours.
        assert send.evaluate("el => getComputedStyle(el).fontSize") == "18px"
        assert send.evaluate("el => getComputedStyle(el).backgroundColor") != "rgb(255, 105, 180)"
        screenshot(page, "widget-phone-375x667")
        alice = session_id(page)

        panel = open_widget(page, running)  # signed out, same tab: Alice's chat must not show
        expect(panel.locator(".msg")).to_have_count(0)
        assert session_id(page) != alice
    finally:
        ctx.close()


def test_spoken_question_shows_its_transcript_and_gets_the_answer(
    playwright: Playwright, running: RunningService
) -> None:
    """Chromium's fake microphone plays the WAV; the shopper holds the mic button with Space."""
    wav = FIXTURES / "payment_methods.wav"
    speaking = launch_chromium(playwright, [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}%noloop",
    ])
    try:
        ctx = speaking.new_context(permissions=["microphone"])
        page = ctx.new_page()
        panel = open_widget(page, running)
        mic = panel.get_by_role("button", name=re.compile("^Voice message"))
        mic.focus()
        page.keyboard.down(" ")
        expect(mic).to_have_attribute("aria-pressed", "true")
        expect(panel.get_by_text(re.compile("^Listening…"))).to_be_visible()
        time.sleep(3.5)  # the recording itself: the fixture is 2.6 s of speech
        page.keyboard.up(" ")  # held past the hold threshold: push-to-talk sends on release
        expect(mic).to_have_attribute("aria-pressed", "false")

        spoken = panel.locator(".msg.user.spoken").filter(has_text=re.compile("payment methods", re.I))
        expect(spoken).to_be_visible(timeout=REPLY_MS)  # the first voice message also loads Whisper
        expect(bot_said(panel, "PayPal")).to_be_visible(timeout=REPLY_MS)
        screenshot(page, "widget-spoken-answer")
    finally:
        speaking.close()


def test_blocked_microphone_and_too_long_text_get_clear_messages_and_lose_nothing(
    context: BrowserContext, running: RunningService
) -> None:
    page = context.new_page()  # no microphone permission granted: the browser refuses it
    panel = open_widget(page, running)
    panel.get_by_role("button", name=re.compile("^Voice message")).click()
    expect(panel.locator(".notice")).to_have_text(re.compile("Microphone access is blocked|No microphone was found"))
    expect(panel.get_by_text(re.compile("^Listening…"))).to_be_hidden()

    box = panel.get_by_role("textbox", name="Type your message")
    box.fill("x" * 2001)
    expect(panel.locator(".counter")).to_have_text("· 2001 / 2000")
    box.press("Enter")
    expect(panel.locator(".notice").last).to_have_text(re.compile(r"too long \(2001 characters; at most 2000\)"))
    assert box.input_value() == "x" * 2001  # kept, to be shortened
    expect(panel.locator(".msg.user")).to_have_count(0)


def test_transcript_and_session_survive_moving_to_another_page(
    context: BrowserContext, running: RunningService
) -> None:
    page = context.new_page()
    panel = open_widget(page, running)
    ask(panel, "hello")
    expect(bot_said(panel, "assistant")).to_be_visible(timeout=REPLY_MS)
    before = session_id(page)

    page.reload()  # the shopper moves on inside the shop: same tab, new page
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()  # it stays open
    expect(panel.locator(".msg.user .text")).to_have_text(["hello"])
    expect(bot_said(panel, "assistant")).to_be_visible()
    expect(panel.get_by_role("status").first).to_have_text("Online", timeout=REPLY_MS)
    assert session_id(page) == before
