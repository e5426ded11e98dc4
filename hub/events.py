"""`POST /events`: a batch of identify/track events from a high-volume source
(docs/operations.md). Credentials, the rate limit and the body limit are the API's
(hub/auth.py, hub/http_limits.py, in front of this route); apps and admins may send.

A body that is not a batch (not JSON, not ``{"events": [...]}``, more events than
HUB_EVENTS_MAX_BATCH) is a 400 with a GraphQL-shaped error; a batch is answered 200 with
one result per event, in order, whatever became of each (resolvers/events.py).
"""

import logging
from collections.abc import Awaitable, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response

from graph.errors import GraphError
from hub.availability import graph_unavailable
from hub.graphql_http import MAX_JSON_DEPTH, nested_deeper_than
from hub.http_errors import RefusalCode, refusal
from hub.settings import Settings
from resolvers.clock import now_ms
from resolvers.events import ingest
from resolvers.principal import Principal, Role

logger = logging.getLogger("hub.events")
SENDERS = (Role.APP, Role.ADMIN)


def events_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler, reading ``settings``."""

    async def post_events(request: Request) -> Response:
        return await answer_batch(request, settings)

    return post_events


async def answer_batch(request: Request, settings: Settings) -> Response:
    """The batch's answer: ``{"accepted": n, "duplicates": n, "rejected": n, "results":
    [{"index", "id", "status", "code"?, "reasons"?}, ...]}``."""
    scope = request.scope
    if request.method != "POST":
        return refusal(scope, 405, RefusalCode.METHOD_NOT_ALLOWED, "send events with POST",
                       {"allow": "POST"})  # fmt: skip
    principal: Principal = request.state.principal  # set by hub.auth.AuthMiddleware
    if principal.role not in SENDERS:
        return refusal(scope, 403, RefusalCode.FORBIDDEN, "only app and admin keys may send events")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return refusal(scope, 415, RefusalCode.UNSUPPORTED_MEDIA_TYPE,
                       "send the batch as application/json")  # fmt: skip
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as e:
        return refusal(
            scope,
            400,
            RefusalCode.BAD_REQUEST,
            f"the body is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
        )
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        return refusal(scope, 400, RefusalCode.BAD_REQUEST,
                       'the body must be a JSON object {"events": [...]}')  # fmt: skip
    limit = settings.events_max_batch
    if len(events) > limit:
        return refusal(
            scope,
            400,
            RefusalCode.BAD_REQUEST,
            f"a batch holds at most {limit} events (HUB_EVENTS_MAX_BATCH); split it",
        )
    if nested_deeper_than(events, MAX_JSON_DEPTH):
        return refusal(
            scope,
            400,
            RefusalCode.BAD_REQUEST,
            f"the events nest arrays and objects more than {MAX_JSON_DEPTH} levels deep",
        )
    store = request.app.state.store
    try:
        results = await ingest(store, principal, settings.privacy_config(), now_ms(), events,
                               settings.phone_region)  # fmt: skip
    except GraphError as e:
        return graph_unavailable(scope, store, f"events not written: {type(e).__name__}",
                                 logging.WARNING)  # fmt: skip
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for result in results:
        counts[result.status] += 1
    answer = {
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "rejected": counts["rejected"],
        "results": [r.as_json() for r in results],
    }
    wakeup = getattr(request.app.state, "outbox_wakeup", None)
    if wakeup is not None and counts["accepted"]:
        wakeup()  # the dispatcher need not wait for its next poll
    return Response(orjson.dumps(answer), media_type="application/json")
