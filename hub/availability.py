"""While the embedded engine is restarting, /graphql answers at once with 503
GRAPH_UNAVAILABLE and Retry-After, before any credential is checked against the graph.
A graph that cannot be opened at start-up is reported in one line, not a traceback."""

import logging

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.store import EngineHealth, GraphStore
from hub.http_errors import RefusalCode, refusal
from resolvers.errors import GRAPH_UNAVAILABLE_MESSAGE


def graph_unavailable(
    scope: Scope, store: GraphStore, logged: str, level: int = logging.INFO
) -> Response:
    """503 GRAPH_UNAVAILABLE saying when to come back (the store's Retry-After)."""
    return refusal(
        scope, 503, RefusalCode.GRAPH_UNAVAILABLE, GRAPH_UNAVAILABLE_MESSAGE,
        {"retry-after": str(store.retry_after_s())}, logged=logged, level=level,
    )  # fmt: skip


class EngineGate:
    """Pure ASGI middleware for ``paths``: a 503 while the store is RECOVERING."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths:
            store: GraphStore | None = getattr(scope["app"].state, "store", None)
            if store is not None and store.health() is EngineHealth.RECOVERING:
                response = graph_unavailable(scope, store, "the graph engine is restarting")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class StartupErrors:
    """Pure ASGI middleware for the lifespan: when start-up failed because the graph could
    not be opened (the lifespan puts the error in ``app.state.startup_error``), the server
    is told that one line instead of the traceback Starlette formats."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def one_line(message: Message) -> None:
            error = getattr(scope["app"].state, "startup_error", None)
            if message["type"] == "lifespan.startup.failed" and error is not None:
                message = {**message, "message": f"the hub could not start: {error}"}
            await send(message)

        await self.app(scope, receive, one_line)
