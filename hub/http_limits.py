"""A size limit on what a client sends: the request body and the query string (where a
GET carries its GraphQL document and variables). A body is refused by its Content-Length
before a byte of it is read, and otherwise counted while it streams in, so a chunked body
without a Content-Length cannot get round the limit either: reading stops as soon as it
is passed. Over the limit is a 413 (a 414 for a query string) with a GraphQL-shaped error.

Paths under ``streamed`` (the partner list uploads) are not read here: the route reads
them as they arrive, with flat memory, and holds them to their own, larger limit; only a
declared Content-Length over that limit is refused here.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.http_errors import RefusalCode, refusal


class RequestSizeLimit:
    """Pure ASGI: reads the body (up to ``max_bytes``) before the app runs, and hands it
    on whole; the app sees the same messages it would have, only fewer of them."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, streamed: tuple[str, ...] = (),
        streamed_max_bytes: int = 0,
    ) -> None:  # fmt: skip
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed
        self.streamed_max_bytes = streamed_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        stream = scope["path"].startswith(self.streamed) if self.streamed else False
        if len(scope.get("query_string", b"")) > limit:
            await refusal(
                scope, 414, RefusalCode.URI_TOO_LONG,
                f"the query string is longer than {limit} bytes: send the operation as a "
                "POST with a JSON body",
            )(scope, receive, send)  # fmt: skip
            return
        declared = _content_length(scope)
        if declared == -1:
            await refusal(
                scope, 400, RefusalCode.BAD_REQUEST, "the Content-Length header is not valid"
            )(scope, receive, send)
            return
        if stream:
            limit = self.streamed_max_bytes
            if declared is None or declared <= limit:
                await self.app(scope, receive, send)  # the route counts what it reads
                return
        over = declared is not None and declared > limit
        body = b""
        if not over:
            read, over = await _read_body(receive, limit)
            if read is None:
                return  # the client went away before sending its body: no one to answer
            body = read
        if over:
            await refusal(
                scope, 413, RefusalCode.PAYLOAD_TOO_LARGE,
                f"the request body is larger than the {limit} bytes allowed",
            )(scope, receive, send)  # fmt: skip
            return
        await self.app(scope, _replay(body, receive), send)


def _content_length(scope: Scope) -> int | None:
    """The declared body length; None when not declared, -1 when not a valid length
    (not digits, or declared twice differently)."""
    values = {v.strip() for k, v in scope.get("headers", []) if k.lower() == b"content-length"}
    if not values:
        return None
    if len(values) > 1:
        return -1
    (value,) = values
    return int(value) if value.isdigit() and len(value) <= 19 else -1


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, bool]:
    """(the body, whether it goes on past ``limit``): reads until the body ends or passes
    the limit, whichever is first. The body is None when the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` as one message, then waits on the client's own
    (for its disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
