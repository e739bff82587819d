"""What staff change: review verdicts and human takeover. Each handler serves an HTML
form (answered with a redirect back to the transcript) and a JSON ``fetch`` (answered
with JSON) alike, so the pages work without scripts and the live view without reloads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ecomai.console.app import blocking, console_of, staff_of, wants_json
from ecomai.console.auth import utc_now
from ecomai.errors import InvalidInput
from ecomai.store import takeover
from ecomai.store.reviews import clear_review, review_message

OUT_OF_SCOPE = "__out_of_scope__"
"""The review form's value for "out of scope" (no intent is named like that)."""


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise InvalidInput("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object")
        return body
    return dict(await request.post())


def _done(request: web.Request, **result: Any) -> web.Response:
    if wants_json(request):
        return web.json_response({"ok": True, **result})
    raise web.HTTPSeeOther(f"/conversations/{request.match_info['session_id']}")


async def review(request: web.Request) -> web.Response:
    """Body: ``intent`` = a domain intent, ``__out_of_scope__``, or empty to clear the verdict."""
    console = console_of(request)
    message_id = int(request.match_info["message_id"])
    choice = str((await _body(request)).get("intent") or "")
    if not choice:
        await blocking(clear_review, console.engine, message_id)
        return _done(request, message_id=message_id, intent=None, out_of_scope=False)
    if choice != OUT_OF_SCOPE and choice not in console.intents:
        raise InvalidInput(f"{choice!r} is not an intent of the domain")
    intent = None if choice == OUT_OF_SCOPE else choice
    await blocking(review_message, console.engine, message_id, intent=intent, reviewer=staff_of(request).username,
                   now=utc_now())
    return _done(request, message_id=message_id, intent=intent, out_of_scope=intent is None)


async def take_over(request: web.Request) -> web.Response:
    await blocking(takeover.take_over, console_of(request).engine, request.match_info["session_id"],
                   staff_of(request).username)
    return _done(request)


async def reply(request: web.Request) -> web.Response:
    text = str((await _body(request)).get("text") or "")
    event_id = await blocking(takeover.post_staff_reply, console_of(request).engine,
                              request.match_info["session_id"], staff_of(request).username, text)
    return _done(request, event_id=event_id)


async def hand_back(request: web.Request) -> web.Response:
    await blocking(takeover.hand_back, console_of(request).engine, request.match_info["session_id"],
                   staff_of(request).username)
    return _done(request)
