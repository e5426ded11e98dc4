"""hub/http_limits.py in front of a bare ASGI app: a body within the limit reaches the app
whole; past it, declared by Content-Length or counted while it streams in, it is a 413
and no more of it is read; a query string past it is a 414."""

import json
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from hub.http_limits import RequestSizeLimit

LIMIT = 1000


class EchoApp:
    """Reads the whole body the way Starlette does and answers 200; keeps what it read."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.after_body: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        self.after_body.append(await receive())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


class Exchange:
    """One request through the middleware: the client's messages, what was sent back."""

    def __init__(self, chunks: list[bytes], *, disconnect_after: int | None = None) -> None:
        self.chunks = chunks
        self.disconnect_after = disconnect_after
        self.received = 0  # how many messages the server side asked for
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        self.received += 1
        index = self.received - 1
        if index >= len(self.chunks) or index == self.disconnect_after:
            return {"type": "http.disconnect"}
        more = index < len(self.chunks) - 1
        return {"type": "http.request", "body": self.chunks[index], "more_body": more}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        return starts[0]["status"] if starts else None

    @property
    def error(self) -> dict[str, Any]:
        body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        (error,) = json.loads(body)["errors"]
        return dict(error)


def scope(headers: list[tuple[bytes, bytes]] = [], query: bytes = b"") -> Scope:  # noqa: B006
    return {
        "type": "http", "method": "POST", "path": "/graphql", "headers": headers,
        "query_string": query,
    }  # fmt: skip


async def run(request: Scope, exchange: Exchange) -> EchoApp:
    app = EchoApp()
    await RequestSizeLimit(app, max_bytes=LIMIT)(request, exchange.receive, exchange.send)
    return app


async def test_a_body_within_the_limit_reaches_the_app_whole_in_one_message():
    exchange = Exchange([b"a" * 400, b"b" * 400, b"c" * 200])  # exactly the limit
    app = await run(scope(), exchange)
    assert exchange.status == 200
    assert app.bodies == [b"a" * 400 + b"b" * 400 + b"c" * 200]
    # After the body, the app waits on the client itself (for its disconnect).
    assert app.after_body == [{"type": "http.disconnect"}]


async def test_a_declared_length_past_the_limit_is_a_413_before_a_byte_is_read():
    exchange = Exchange([b"x" * 10])
    app = await run(scope([(b"content-length", str(LIMIT + 1).encode())]), exchange)
    assert exchange.status == 413 and exchange.received == 0 and app.bodies == []
    assert exchange.error == {
        "message": f"the request body is larger than the {LIMIT} bytes allowed",
        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
    }


async def test_a_streamed_body_past_the_limit_is_a_413_and_reading_stops_there():
    # Chunked: no Content-Length, or one that understates the body.
    for headers in ([], [(b"content-length", b"10")]):
        exchange = Exchange([b"x" * 400] * 100)  # 40 KB on offer
        app = await run(scope(headers), exchange)
        assert exchange.status == 413 and app.bodies == []
        assert exchange.received == 3  # 1,200 bytes read: just past the limit
        assert exchange.error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_query_string_past_the_limit_is_a_414():
    exchange = Exchange([b""])
    app = await run(scope(query=b"q" * (LIMIT + 1)), exchange)
    assert exchange.status == 414 and app.bodies == []
    assert exchange.error["extensions"]["code"] == "URI_TOO_LONG"
    assert "POST" in exchange.error["message"]
    exchange = Exchange([b""])
    await run(scope(query=b"q" * LIMIT), exchange)
    assert exchange.status == 200


@pytest.mark.parametrize(
    "values", [[b"abc"], [b"-1"], [b"1e3"], [b"1" * 30], [b"10", b"20"]], ids=repr
)
async def test_a_content_length_that_is_not_one_length_is_a_400(values: list[bytes]):
    exchange = Exchange([b"x" * 10])
    app = await run(scope([(b"content-length", v) for v in values]), exchange)
    assert exchange.status == 400 and app.bodies == []
    assert exchange.error["extensions"]["code"] == "BAD_REQUEST"


async def test_a_client_gone_before_its_body_ended_gets_nothing_and_the_app_is_not_run():
    exchange = Exchange([b"x" * 100] * 5, disconnect_after=2)
    app = await run(scope(), exchange)
    assert exchange.sent == [] and app.bodies == []


async def test_lifespan_and_other_scopes_pass_through():
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    exchange = Exchange([])
    await RequestSizeLimit(app, max_bytes=LIMIT)(
        {"type": "lifespan"}, exchange.receive, exchange.send
    )
    assert seen == ["lifespan"] and exchange.received == 0
