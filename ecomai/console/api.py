"""The JSON API (what the live transcript polls, and what scripts may use): the same
queries and masking as the pages, under ``/api/``."""

from __future__ import annotations

from aiohttp import web

from ecomai.console.app import blocking, console_of
from ecomai.console.pages import dashboard_window
from ecomai.console.params import query_from_params
from ecomai.console.views import message_view, page_view, stats_view, takeover_view
from ecomai.errors import InvalidInput
from ecomai.store.conversation_list import list_conversations
from ecomai.store.dashboard import dashboard_stats
from ecomai.store.takeover import active_takeover
from ecomai.store.transcripts import conversation_header, transcript


async def conversations(request: web.Request) -> web.Response:
    console = console_of(request)
    query = query_from_params(request.query, console.options.low_confidence)
    return web.json_response(page_view(await blocking(list_conversations, console.engine, query)))


async def messages(request: web.Request) -> web.Response:
    """Messages after ``?after=<id>`` and who holds the conversation: one poll of the live view."""
    console = console_of(request)
    session_id = request.match_info["session_id"]
    try:
        after = int(request.query.get("after") or 0)
    except ValueError:
        raise InvalidInput("after must be a message id") from None
    await blocking(conversation_header, console.engine, session_id)  # 404 for an unknown conversation
    found = await blocking(transcript, console.engine, session_id, after)
    held = await blocking(active_takeover, console.engine, session_id)
    return web.json_response({"messages": [message_view(m) for m in found], "takeover": takeover_view(held)})


async def dashboard(request: web.Request) -> web.Response:
    since, until = dashboard_window(request)
    return web.json_response(stats_view(await blocking(dashboard_stats, console_of(request).engine, since, until)))
