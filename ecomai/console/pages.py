"""HTML pages: login, conversation list, transcript, dashboard, and the downloads."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from ecomai.console.app import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, blocking, console_of, render)
from ecomai.console.charts import bar_chart, column_chart
from ecomai.console.export import conversation_batches, csv_chunks, json_chunks, nlu_yaml
from ecomai.console.params import FLAGS, query_from_params
from ecomai.console.views import message_view, page_view, stats_view, takeover_view
from ecomai.errors import AuthenticationFailed, InvalidInput, TooManyAttempts
from ecomai.store.conversation_list import SORTS, channels, list_conversations
from ecomai.store.dashboard import dashboard_stats
from ecomai.store.reviews import corrections
from ecomai.store.takeover import active_takeover
from ecomai.store.transcripts import conversation_header, transcript


def _safe_next(target: str | None) -> str:
    """Only a local path: ``next`` must not send a fresh login to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_form(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    # Keep the token the browser already has: a second login page (another tab, or the
    # favicon request redirected here) must not invalidate the form already showing.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", token):
        token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, error=error,
                      next=_safe_next(request.query.get("next")))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/login",
                        secure=console_of(request).options.secure_cookie)
    return response


async def login_page(request: web.Request) -> web.Response:
    return _login_form(request)


async def login_submit(request: web.Request) -> web.Response:
    console = console_of(request)
    form = await request.post()
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    try:
        logged_in = await blocking(console.auth.login, username, password, request.remote or "unknown")
    except (AuthenticationFailed, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        return _login_form(request, status, str(error).capitalize() + ".")
    response = web.HTTPSeeOther(_safe_next(str(form.get("next", ""))))
    response.set_cookie(SESSION_COOKIE, logged_in.token, httponly=True, samesite="Strict", path="/",
                        secure=console.options.secure_cookie, max_age=console.options.absolute_timeout_s)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.Response:
    await blocking(console_of(request).auth.logout, request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def conversation_list(request: web.Request) -> web.Response:
    console = console_of(request)
    query = query_from_params(request.query, console.options.low_confidence)
    page = await blocking(list_conversations, console.engine, query)
    known_channels = await blocking(channels, console.engine)
    filters = {k: v for k, v in request.query.items() if k != "cursor" and v}
    next_url = "/?" + urlencode({**filters, "cursor": page.next_cursor}) if page.next_cursor else None
    return render(request, "conversations.html", page=page_view(page), filters=filters, flags=FLAGS,
                  intents=console.intents, channels=known_channels, sorts=list(SORTS), next_url=next_url,
                  first_url="/?" + urlencode(filters), export_query=urlencode(filters),
                  low_confidence=console.options.low_confidence)


async def transcript_page(request: web.Request) -> web.Response:
    console = console_of(request)
    session_id = request.match_info["session_id"]
    header = await blocking(conversation_header, console.engine, session_id)
    messages = await blocking(transcript, console.engine, session_id)
    takeover = await blocking(active_takeover, console.engine, session_id)
    return render(request, "transcript.html", header=header, messages=[message_view(m) for m in messages],
                  takeover=takeover_view(takeover), intents=console.intents,
                  poll_ms=int(console.options.poll_interval_s * 1000))


def dashboard_window(request: web.Request) -> tuple[datetime, datetime]:
    """``from``/``to`` inclusive days; the last 30 days up to today by default."""
    query = query_from_params({k: request.query.get(k, "") for k in ("from", "to")}, 0.5)
    until = query.until or datetime.combine(console_of(request).clock().date() + timedelta(days=1), time())
    since = query.since or until - timedelta(days=30)
    if since >= until:
        raise InvalidInput("from must not be after to")
    return since, until


async def dashboard(request: web.Request) -> web.Response:
    since, until = dashboard_window(request)
    stats = await blocking(dashboard_stats, console_of(request).engine, since, until)
    charts = {
        "per_day": column_chart(stats.per_day, title="Conversations per day"),
        "intents": bar_chart(stats.intents, title="Shopper messages per intent"),
    }
    return render(request, "dashboard.html", stats=stats_view(stats), charts=charts,
                  since=since.date().isoformat(), until=(until - timedelta(days=1)).date().isoformat())


async def export_conversations(request: web.Request) -> web.StreamResponse:
    """The filtered list's conversations, every message, masked; streamed page by page."""
    console = console_of(request)
    fmt = request.match_info["fmt"]
    query = query_from_params(request.query, console.options.low_confidence)
    batches = conversation_batches(console.engine, query)
    chunks = csv_chunks(batches) if fmt == "csv" else json_chunks(batches)
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="conversations.{fmt}"'})
    first = await blocking(next, chunks, None)  # a bad query fails here, before headers go out
    await response.prepare(request)
    while first is not None:
        await response.write(first.encode("utf-8"))
        first = await blocking(next, chunks, None)
    await response.write_eof()
    return response


async def export_nlu(request: web.Request) -> web.Response:
    console = console_of(request)
    text = nlu_yaml(await blocking(corrections, console.engine), console.intents)
    return web.Response(text=text, content_type="application/x-yaml",
                        headers={"Content-Disposition": 'attachment; filename="nlu_corrections.yml"'})
