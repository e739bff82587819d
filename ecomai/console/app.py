"""The console's aiohttp application: one factory, the routes, and the middlewares that
every request passes through — errors to statuses (the one place), the session check
and the CSRF check — plus security headers on every response.

Nothing but the login page, the login form and static files answers without a valid
session: the session check runs for every other route, including unknown paths
(tests/unit/console/test_routes.py walks the router to hold that). JSON callers
(``/api/...`` or ``Accept: application/json``) get 401, browsers a redirect to login.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar
from urllib.parse import quote

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine

from ecomai.console.auth import Authenticator, Clock, csrf_matches, utc_now
from ecomai.console.domain import domain_intents
from ecomai.console.options import ConsoleOptions
from ecomai.console.pii import mask_pii
from ecomai.errors import (AuthenticationFailed, EcomaiError, InvalidInput, NotAllowed, NotFound, StoreUnavailable,
                           TooManyAttempts)
from ecomai.store.staff import StaffSession

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "ecomai_staff"
LOGIN_CSRF_COOKIE = "ecomai_login_csrf"
PUBLIC_ROUTES = frozenset({"login_page", "login_submit"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


@dataclass(frozen=True)
class Console:
    """What every handler needs, built once per app."""

    engine: Engine
    options: ConsoleOptions
    auth: Authenticator
    intents: tuple[str, ...]
    templates: Environment
    clock: Clock


CONSOLE = web.AppKey("console", Console)


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def staff_of(request: web.Request) -> StaffSession:
    session: StaffSession = request["staff"]
    return session


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a database call off the event loop (SQLAlchemy here is synchronous)."""
    return await asyncio.to_thread(function, *args, **kwargs)


def wants_json(request: web.Request) -> bool:
    return (request.path.startswith("/api/") or request.content_type == "application/json"
            or "application/json" in request.headers.get("Accept", ""))


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    console = console_of(request)
    staff = request.get("staff")
    html = console.templates.get_template(template).render(
        staff=staff, csrf_token=staff.csrf_token if staff else "", path=request.path, **context)
    return web.Response(text=html, status=status, content_type="text/html")


def status_of(error: EcomaiError) -> int:
    """The one mapping from our errors to HTTP statuses."""
    for kind, status in ((AuthenticationFailed, 401), (TooManyAttempts, 429), (InvalidInput, 400),
                         (NotFound, 404), (NotAllowed, 409), (StoreUnavailable, 503)):
        if isinstance(error, kind):
            return status
    return 500


@web.middleware
async def errors_to_statuses(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except EcomaiError as error:
        status = status_of(error)
        # Our 4xx texts are written for staff; a 5xx says only what kind of failure it was.
        message = str(error) if status < 500 else "The console could not do that right now; please retry."
        if status >= 500:
            logger.warning("console %s %s failed: %r", request.method, request.path, error)
        if wants_json(request):
            return web.json_response({"error": error.code, "message": message}, status=status)
        return render(request, "error.html", status=status, message=message)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set on every response as it is sent (pages, JSON, redirects, errors, downloads)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def _is_public(request: web.Request) -> bool:
    route = request.match_info.route
    return route.name in PUBLIC_ROUTES or isinstance(route.resource, web.StaticResource)


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_public(request):
        return await handler(request)
    session = await blocking(console_of(request).auth.session, request.cookies.get(SESSION_COOKIE))
    if session is None:
        if wants_json(request):
            raise web.HTTPUnauthorized(text='{"error": "not_authenticated", "message": "Log in first."}',
                                       content_type="application/json")
        target = request.path_qs if request.method in SAFE_METHODS else "/"
        raise web.HTTPFound(f"/login?next={quote(target, safe='')}")
    request["staff"] = session
    return await handler(request)


@web.middleware
async def require_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request carries the session's CSRF token, as the
    ``X-CSRF-Token`` header (JSON) or a ``csrf_token`` form field; the login form
    carries the double-submit token of its cookie."""
    if request.method in SAFE_METHODS:
        return await handler(request)
    given = request.headers.get("X-CSRF-Token")
    if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        field = (await request.post()).get("csrf_token")
        given = field if isinstance(field, str) else None
    if request.match_info.route.name == "login_submit":
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        expected = staff_of(request).csrf_token
    if not expected or not csrf_matches(expected, given):
        if wants_json(request):
            raise web.HTTPForbidden(text='{"error": "csrf", "message": "Missing or wrong CSRF token."}',
                                    content_type="application/json")
        raise web.HTTPForbidden(text="Missing or wrong CSRF token: reload the page and try again.")
    return await handler(request)


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["mask"] = mask_pii
    env.filters["pct"] = lambda value: "–" if value is None else f"{100 * value:.1f}%"
    env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""
    return env


async def _sweep_sessions(app: web.Application) -> Any:
    """Delete expired sessions every few minutes while the console runs."""
    async def loop() -> None:
        while True:
            try:
                await blocking(app[CONSOLE].auth.sweep)
            except StoreUnavailable as error:
                logger.warning("console: could not sweep sessions: %s", error)
            await asyncio.sleep(300)

    task = asyncio.create_task(loop())
    yield
    task.cancel()


def create_app(engine: Engine, options: ConsoleOptions, *, clock: Clock = utc_now,
               auth: Authenticator | None = None) -> web.Application:
    """The console over ``engine`` (whose schema exists: ``create_schema``)."""
    from ecomai.console import actions, api, pages

    app = web.Application(middlewares=[errors_to_statuses, require_session, require_csrf],
                          client_max_size=64 * 1024)
    app[CONSOLE] = Console(engine, options, auth or Authenticator(engine, options, clock),
                           domain_intents(options.domain_file), _templates(), clock)
    app.cleanup_ctx.append(_sweep_sessions)
    # aiohttp 3.9 types this Signal's callbacks wrongly; the call is the documented one.
    app.on_response_prepare.append(_security_headers)  # type: ignore[arg-type]
    r = app.router
    r.add_get("/login", pages.login_page, name="login_page")
    r.add_post("/login", pages.login_submit, name="login_submit")
    r.add_post("/logout", pages.logout, name="logout")
    r.add_get("/", pages.conversation_list, name="conversation_list")
    r.add_get("/conversations/{session_id}", pages.transcript_page, name="transcript_page")
    r.add_get("/dashboard", pages.dashboard, name="dashboard")
    r.add_get("/export/conversations.{fmt:csv|json}", pages.export_conversations, name="export_conversations")
    r.add_get("/export/nlu.yml", pages.export_nlu, name="export_nlu")
    r.add_post("/conversations/{session_id}/messages/{message_id:\\d+}/review", actions.review, name="review")
    r.add_post("/conversations/{session_id}/takeover", actions.take_over, name="take_over")
    r.add_post("/conversations/{session_id}/reply", actions.reply, name="reply")
    r.add_post("/conversations/{session_id}/handback", actions.hand_back, name="hand_back")
    r.add_get("/api/conversations", api.conversations, name="api_conversations")
    r.add_get("/api/conversations/{session_id}/messages", api.messages, name="api_messages")
    r.add_get("/api/dashboard", api.dashboard, name="api_dashboard")
    r.add_static("/static/", HERE / "static", name="static")
    return app
