"""The request id: a well-formed `X-Request-ID` the caller sent, or a fresh one; echoed on
the response and held in a context variable for the life of the request, so that every
log line (hub/logs.py) and the request's spans carry it."""

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str | None] = ContextVar("hub_request_id", default=None)
HEADER = "x-request-id"
# What a caller's id may be: short, and nothing a log reader could mistake for content
# (no spaces, quotes, @ or control characters). Anything else is replaced, not echoed.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID when well-formed, else a fresh random id (32 hex)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == HEADER.encode():
            given = str(value.decode("latin-1")).strip()
            if _WELL_FORMED.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI, outermost: sets REQUEST_ID (and ``scope["state"]["request_id"]``) for the
    request and adds the X-Request-ID header to its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
