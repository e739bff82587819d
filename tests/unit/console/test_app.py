"""The console over a real temp SQLite log, through aiohttp's test client."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from typing import AsyncIterator

import pytest
from argon2 import PasswordHasher
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from ecomai.config import REPO_ROOT
from ecomai.console.app import LOGIN_CSRF_COOKIE, SESSION_COOKIE, create_app
from ecomai.console.auth import Authenticator, add_staff_member
from ecomai.console.options import ConsoleOptions
from ecomai.store.schema import staff_sessions

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # real argon2id, test-sized


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 6, 5, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(log_engine, clock) -> AsyncIterator[TestClient]:
    add_staff_member(log_engine, "sam", PASSWORD, hasher=CHEAP)
    add_staff_member(log_engine, "kim", PASSWORD, hasher=CHEAP)
    options = ConsoleOptions(domain_file=REPO_ROOT / "bot" / "domain.yml", max_login_failures=3,
                             absolute_timeout_s=3 * 3600)
    auth = Authenticator(log_engine, options, clock, hasher=CHEAP)
    async with TestClient(TestServer(create_app(log_engine, options, clock=clock, auth=auth))) as test_client:
        yield test_client


async def login(client: TestClient, username: str = "sam", password: str = PASSWORD, next_: str = "/"):
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    return await client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                             "next": next_}, allow_redirects=False)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def csrf(client: TestClient) -> str:
    return csrf_of(await (await client.get("/conversations/s-order")).text())


def concrete(path: str) -> str:
    return (path.replace("{session_id}", "s-order").replace("{message_id:\\d+}", "1")
            .replace("{fmt:csv|json}", "csv"))


async def test_every_route_refuses_without_a_session(client: TestClient) -> None:
    routes = [r for r in client.app.router.routes() if r.method != "HEAD"]
    checked = 0
    for route in routes:
        info = route.resource.get_info()
        if "prefix" in info:  # static files: public by design
            assert (await client.get(info["prefix"] + "console.css")).status == 200
            continue
        path = concrete(info.get("path") or info["formatter"])
        response = await client.request(route.method, path, allow_redirects=False)
        if route.name in ("login_page", "login_submit"):
            assert response.status == (200 if route.method == "GET" else 403)  # POST without its CSRF token
        elif path.startswith("/api/"):
            assert response.status == 401, path
            assert (await response.json())["error"] == "not_authenticated"
        else:
            assert response.status == 302, (route.method, path)
            assert response.headers["Location"].startswith("/login?next=")
        checked += 1
    assert checked >= 14
    unknown = await client.get("/no/such/page", allow_redirects=False)
    assert unknown.status == 302  # unknown paths do not even say they are unknown
    json_caller = await client.get("/dashboard", headers={"Accept": "application/json"}, allow_redirects=False)
    assert json_caller.status == 401


async def test_login_sets_a_strict_httponly_cookie_and_redirects_to_next(client: TestClient) -> None:
    response = await login(client, next_="/dashboard")
    assert response.status == 303 and response.headers["Location"] == "/dashboard"
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert (await client.get("/dashboard")).status == 200


async def test_next_never_leaves_the_console(client: TestClient) -> None:
    response = await login(client, next_="//evil.example/steal")
    assert response.headers["Location"] == "/"


async def test_only_the_cookie_hash_is_stored(client: TestClient, log_engine) -> None:
    response = await login(client)
    token = response.cookies[SESSION_COOKIE].value
    with log_engine.connect() as conn:
        stored = conn.execute(select(staff_sessions.c.token_hash)).scalars().all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


async def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = await login(client, password="not the password")
    unknown = await login(client, username="nobody")
    assert wrong.status == unknown.status == 401
    assert "Wrong username or password" in await wrong.text()
    assert "Wrong username or password" in await unknown.text()
    assert SESSION_COOKIE not in wrong.cookies


async def test_login_is_throttled_after_repeated_failures(client: TestClient) -> None:
    for _ in range(3):
        assert (await login(client, password="guess guess guess")).status == 401
    throttled = await login(client)  # even the right password, until the window passes
    assert throttled.status == 429
    assert "Too many failed logins" in await throttled.text()


async def test_login_without_its_csrf_cookie_is_refused(client: TestClient) -> None:
    page = await client.get("/login")
    token = csrf_of(await page.text())
    client.session.cookie_jar.clear()
    response = await client.post("/login", data={"username": "sam", "password": PASSWORD, "csrf_token": token})
    assert response.status == 403
    assert LOGIN_CSRF_COOKIE  # the double-submit cookie is what was missing


async def test_posts_need_the_session_csrf_token(client: TestClient) -> None:
    await login(client)
    url = "/conversations/s-order/messages/3/review"
    assert (await client.post(url, json={"intent": "order_status"})).status == 403
    bad = await client.post(url, json={"intent": "order_status"}, headers={"X-CSRF-Token": "nope"})
    assert bad.status == 403 and (await bad.json())["error"] == "csrf"
    good = await client.post(url, json={"intent": "order_status"}, headers={"X-CSRF-Token": await csrf(client)})
    assert good.status == 200 and (await good.json())["ok"]


async def test_idle_and_absolute_expiry(client: TestClient, clock: Clock) -> None:
    await login(client)
    clock.now += timedelta(minutes=29)
    assert (await client.get("/api/conversations")).status == 200
    clock.now += timedelta(minutes=31)
    assert (await client.get("/api/conversations")).status == 401  # idle for 31 minutes
    await login(client)
    for _ in range(3 * 3):  # busy for the whole absolute lifetime, every 20 minutes
        clock.now += timedelta(minutes=20)
        assert (await client.get("/api/conversations")).status == 200
    clock.now += timedelta(minutes=20)
    assert (await client.get("/api/conversations")).status == 401  # over 3 hours old


async def test_logout_ends_the_session(client: TestClient) -> None:
    response = await login(client)
    token = response.cookies[SESSION_COOKIE].value
    page = await client.get("/")
    out = await client.post("/logout", data={"csrf_token": csrf_of(await page.text())}, allow_redirects=False)
    assert out.status == 303
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: token})  # a copied cookie is dead too
    assert (await client.get("/api/conversations")).status == 401


async def test_list_page_filters_and_masks(client: TestClient) -> None:
    await login(client)
    html = await (await client.get("/?text=parcel")).text()
    assert "s-order" in html and "s-plain" not in html
    assert "alice@example.com" not in html and "[email a…@example.com]" in html
    data = await (await client.get("/api/conversations?fallback=1")).json()
    assert [c["session_id"] for c in data["conversations"]] == ["s-lost"]
    low = await (await client.get("/api/conversations?low_confidence=1&from=2024-06-01&to=2024-06-02")).json()
    assert [c["session_id"] for c in low["conversations"]] == ["s-angry"]


async def test_list_pages_with_a_cursor(client: TestClient) -> None:
    await login(client)
    first = await (await client.get("/api/conversations?limit=3")).json()
    second = await (await client.get(f"/api/conversations?limit=3&cursor={first['next_cursor']}")).json()
    names = [c["session_id"] for c in first["conversations"] + second["conversations"]]
    assert len(names) == len(set(names)) == 5 and second["next_cursor"] is None


async def test_bad_input_gets_a_clear_error(client: TestClient) -> None:
    await login(client)
    bad_date = await client.get("/api/conversations?from=yesterday")
    assert bad_date.status == 400 and "from must be a date" in (await bad_date.json())["message"]
    assert (await client.get("/api/conversations?cursor=garbage")).status == 400
    page = await client.get("/?sort=sideways")
    assert page.status == 400 and "sort must be one of" in await page.text()
    assert (await client.get("/conversations/nope")).status == 404


async def test_transcript_shows_everything_and_marks_speech(client: TestClient) -> None:
    await login(client)
    html = await (await client.get("/conversations/s-voice")).text()
    assert "do you ship to france" in html and "ask_shipping" in html and "0.95" in html
    assert "🎤 spoken" in html and "120 ms" in html and "utter_greet" in html
    order = await (await client.get("/conversations/s-order")).text()
    assert "email=[email a…@example.com]" in order and "alice@example.com" not in order


async def test_poll_returns_only_newer_messages(client: TestClient) -> None:
    await login(client)
    everything = await (await client.get("/api/conversations/s-order/messages")).json()
    assert [m["sender"] for m in everything["messages"]] == ["user", "bot"] and everything["takeover"] is None
    first_id = everything["messages"][0]["id"]
    newer = await (await client.get(f"/api/conversations/s-order/messages?after={first_id}")).json()
    assert [m["sender"] for m in newer["messages"]] == ["bot"]
    assert (await client.get("/api/conversations/nope/messages")).status == 404


async def test_review_loop_to_nlu_export(client: TestClient) -> None:
    await login(client)
    token = await csrf(client)
    messages = (await (await client.get("/api/conversations/s-lost/messages")).json())["messages"]
    user_id, bot_id = messages[0]["id"], messages[1]["id"]
    form = await client.post(f"/conversations/s-lost/messages/{user_id}/review",
                             data={"intent": "__out_of_scope__", "csrf_token": token}, allow_redirects=False)
    assert form.status == 303 and form.headers["Location"] == "/conversations/s-lost"
    refused = await client.post(f"/conversations/s-lost/messages/{user_id}/review", json={"intent": "made_up"},
                                headers={"X-CSRF-Token": token})
    assert refused.status == 400
    bot_review = await client.post(f"/conversations/s-lost/messages/{bot_id}/review", json={"intent": "greet"},
                                   headers={"X-CSRF-Token": token})
    assert bot_review.status == 400
    exported = await (await client.get("/export/nlu.yml")).text()
    assert "- intent: out_of_scope\n  examples: |\n    - blorp zzz\n" in exported


async def test_takeover_reply_and_hand_back(client: TestClient) -> None:
    await login(client)
    token = await csrf(client)
    headers = {"X-CSRF-Token": token}
    assert (await client.post("/conversations/s-order/takeover", json={}, headers=headers)).status == 200
    html = await (await client.get("/conversations/s-order")).text()
    assert "Held by <strong>sam</strong>" in html and "Hand back to the bot" in html
    sent = await client.post("/conversations/s-order/reply", json={"text": "Hi, Sam here."}, headers=headers)
    assert sent.status == 200
    poll = await (await client.get("/api/conversations/s-order/messages")).json()
    assert poll["takeover"]["staff"] == "sam"
    assert [m["text"] for m in poll["messages"] if m["sender"] == "agent"] == ["Hi, Sam here."]
    empty = await client.post("/conversations/s-order/reply", json={"text": "  "}, headers=headers)
    assert empty.status == 400
    assert (await client.post("/conversations/s-order/handback", json={}, headers=headers)).status == 200
    assert (await (await client.get("/api/conversations/s-order/messages")).json())["takeover"] is None


async def test_second_staff_member_cannot_grab_a_held_conversation(client: TestClient, log_engine) -> None:
    from ecomai.store.takeover import take_over

    take_over(log_engine, "s-order", "kim")
    await login(client)
    response = await client.post("/conversations/s-order/takeover", json={},
                                 headers={"X-CSRF-Token": await csrf(client)})
    assert response.status == 409 and (await response.json())["error"] == "takeover_conflict"
    reply = await client.post("/conversations/s-order/reply", json={"text": "hello"},
                              headers={"X-CSRF-Token": await csrf(client)})
    assert reply.status == 409


async def test_conversation_downloads_are_masked(client: TestClient) -> None:
    await login(client)
    response = await client.get("/export/conversations.csv?text=parcel")
    assert response.headers["Content-Disposition"] == 'attachment; filename="conversations.csv"'
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["sender"] for r in rows] == ["user", "bot"] and rows[0]["session_id"] == "s-order"
    assert "alice@example.com" not in json.dumps(rows)
    data = json.loads(await (await client.get("/export/conversations.json")).text())
    assert len(data) == 5 and all(c["messages"] for c in data)


async def test_dashboard(client: TestClient) -> None:
    await login(client)
    html = await (await client.get("/dashboard?from=2024-06-01&to=2024-06-05")).text()
    assert html.count("<svg") == 2 and "Conversations per day" in html
    stats = await (await client.get("/api/dashboard?from=2024-06-01&to=2024-06-05")).json()
    assert stats["conversations"] == 5 and stats["fallback_rate"] == 0.2 and stats["handoff_rate"] == 0.2
    assert stats["median_latency_ms"] == 120.0
    assert stats["per_day"][0] == {"day": "2024-06-01", "conversations": 2}


async def test_security_headers(client: TestClient) -> None:
    page = await client.get("/login")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"


async def test_a_second_login_page_keeps_the_first_forms_token(client: TestClient) -> None:
    first = csrf_of(await (await client.get("/login")).text())
    await client.get("/favicon.ico")  # redirected to the login page, as browsers do
    assert csrf_of(await (await client.get("/login")).text()) == first
    assert (await login(client)).status == 303
