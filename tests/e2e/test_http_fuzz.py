"""Malformed requests to /graphql, a seeded corpus of a few thousand, sent over real HTTP to
a uvicorn serving the hub on the embedded engine: none may get a 5xx, every 4xx is a
GraphQL-shaped error with a code (as is every error in a 200) logged as one line, and
nothing logs a traceback, a warning or an error.

The corpus: JSON bodies that are not an object, invalid UTF-8, nesting 5,000 deep, random
bytes, byte-level mutations of a good request, wrong content types, empty and oversized
bodies (with a Content-Length and chunked), fields of the wrong type, GET with bad
parameters, duplicated credential headers and methods the endpoint does not serve.
"""

import asyncio
import json
import logging
import random
import socket
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import httpx
import pytest
import uvicorn

from graph.migrations import migrate
from graph.store import open_store
from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.integration.sample_graph import load_sample

SEED = 12
MAX_BODY = 16 * 1024  # small, so that oversized bodies are cheap to send
QUERY = '{ customer(id: "c1") { name purchases(first: 2) { totalCount } } }'
GOOD = {"query": QUERY, "variables": {}, "operationName": None}
# Values of every JSON type, for fields that accept only some of them.
JSON_VALUES: list[object] = [
    None, True, False, 0, -1, 12345, 1.5, 1e308, 10**30, "", "x", "{ __typename }",
    [], [1], ["x"], [None], {}, {"a": 1}, {"query": "{ __typename }"}, [{"a": []}],
]  # fmt: skip
CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
    "application/graphql", "application/graphql-response+json", "text/plain", "text/html",
    "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
    "multipart/form-data; boundary=x", "application/octet-stream", "*/*", "json", ";;;", "",
]  # fmt: skip
BAD_UTF8 = [b"\xff", b"\xc3", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]


@dataclass(frozen=True)
class Probe:
    kind: str
    method: str
    target: str  # path and query string
    headers: tuple[tuple[str, str], ...]
    body: bytes | None = None
    chunked: bool = False  # sent with Transfer-Encoding: chunked, no Content-Length


def corpus(rng: random.Random, key: str) -> Iterator[Probe]:
    """Every probe, in a fixed order for a given seed."""
    auth = (("authorization", f"Bearer {key}"),)
    json_type = (("content-type", "application/json"),)

    def post(kind: str, body: bytes, headers: tuple[tuple[str, str], ...] = json_type) -> Probe:
        return Probe(kind, "POST", "/graphql", auth + headers, body)

    def get(kind: str, params: str) -> Probe:
        return Probe(kind, "GET", f"/graphql?{params}", auth)

    good = json.dumps(GOOD).encode()
    for value in JSON_VALUES:
        yield post("body not an object", json.dumps(value).encode())
        yield post("body not an object", json.dumps([value, value]).encode())
    for _ in range(250):
        at = rng.randrange(len(good) + 1)
        yield post("invalid UTF-8", good[:at] + rng.choice(BAD_UTF8) + good[at:])
    for depth in (64, 1000, 5000, 20000):
        yield post("deep nesting", b"[" * depth + b"]" * depth)
        yield post("deep nesting", b'{"a":' * depth + b"1" + b"}" * depth)
        yield post("deep nesting", b"[" * depth)  # unterminated
        nested = b"[" * depth + b"]" * depth
        yield post("deep nesting", b'{"query":"{ __typename }","variables":{"v":' + nested + b"}}")
        yield post("deep nesting", b'{"query":"{ __typename }","extensions":{"e":' + nested + b"}}")
        document = '{ customer(id: \\"c1\\") ' + "{ name " * depth + "}" * (depth + 1)
        yield post("deep nesting", f'{{"query":"{document}"}}'.encode())
    for _ in range(800):
        content_type = rng.choice(CONTENT_TYPES)
        yield post(
            "random bytes", rng.randbytes(rng.randrange(0, 700)), (("content-type", content_type),)
        )
    for _ in range(700):
        yield post("mutated good body", _mutate(rng, good))
    for content_type in CONTENT_TYPES:
        for body in (good, b"", b"query=%7B__typename%7D", QUERY.encode()):
            headers = (("content-type", content_type),) if content_type else ()
            yield post("content type", body, headers)
    yield Probe("content type", "POST", "/graphql", auth, good)  # no Content-Type at all
    for body in (b"", b" ", b"\n", b"\x00", b"\xef\xbb\xbf", b"\xef\xbb\xbf{}", b"{}", b"{ }"):
        yield post("empty body", body)
    for field in ("query", "variables", "extensions", "operationName"):
        for value in JSON_VALUES:
            yield post("field of the wrong type", json.dumps({**GOOD, field: value}).encode())
    for variables in JSON_VALUES:
        query = "query Q($id: ID!) { customer(id: $id) { name } }"
        body = {"query": query, "variables": {"id": variables}}
        yield post("variable of the wrong type", json.dumps(body).encode())
    yield from _gets(rng, get)
    for value in JSON_VALUES:
        yield get("GET bad parameter", urlencode({"query": QUERY, "variables": json.dumps(value)}))
        yield get("GET bad parameter", urlencode({"query": QUERY, "extensions": json.dumps(value)}))
    credentials = [
        ("authorization", f"Bearer {key}"), ("authorization", "Bearer x"),
        ("x-api-key", key), ("x-api-key", "nope"),
    ]  # fmt: skip
    for first in credentials:
        for second in credentials:
            headers = (first, second, *json_type)
            yield Probe("duplicated credential", "POST", "/graphql", headers, good)
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        yield Probe("method", method, "/graphql", auth + json_type, good)
    size = MAX_BODY * 4
    padded = json.dumps({**GOOD, "extensions": {"pad": "x" * size}}).encode()
    yield post("oversized body", padded)
    yield Probe("oversized body", "POST", "/graphql", auth + json_type, padded, chunked=True)
    yield post("oversized body", b"[" * size)
    yield Probe("oversized body", "POST", "/graphql", auth + json_type, b" " * size, chunked=True)
    yield get("oversized query string", urlencode({"query": "{ __typename }" + " " * MAX_BODY}))


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """A few random byte edits (replace, insert, delete, duplicate a slice) of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        edit = rng.randrange(4)
        if edit == 0 and at < len(out):
            out[at] = rng.randrange(256)
        elif edit == 1:
            out[at:at] = rng.choice([b"{", b"}", b"[", b'"', b",", b":", b"\\", b"null", b"1e999"])
        elif edit == 2:
            del out[at : at + rng.randint(1, 8)]
        else:
            out[at:at] = out[at : at + rng.randint(1, 16)]
    return bytes(out)


def _gets(rng: random.Random, get: Callable[[str, str], Probe]) -> Iterator[Probe]:
    fixed = [
        "", "query=", "variables={}", "query=%7B", "operationName=Q",
        "query=mutation%7BrevokeApiKey(id:%22x%22)%7Bok%7D%7D",
        f"query={quote(QUERY)}&query={quote(QUERY)}",
        f"query={quote(QUERY)}&variables=%7B",
        f"query={quote(QUERY)}&variables=%FF%FE",
        f"query={quote(QUERY)}&extensions=%5B%5D",
        f"query={quote(QUERY)}&operationName=%00",
        "query=%00%00", "query=%FF", "%%%", "query", "=&=&", "query=" + "%7B" * 5000,
    ]  # fmt: skip
    for params in fixed:
        yield get("GET bad parameter", params)
    for _ in range(150):
        noise = rng.randbytes(rng.randrange(1, 200))
        name = rng.choice(["query", "variables", "extensions", "operationName"])
        yield get("GET random parameter", f"query={quote(QUERY)}&{name}={quote(noise)}")


@pytest.fixture
async def served(tmp_path) -> AsyncIterator[tuple[str, str]]:
    """A uvicorn serving the hub on a free port: (base URL, an app key)."""
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        await load_sample(store)
        key = (await create_key(store, "fuzz", Role.APP)).key
        settings = Settings(
            _env_file=None, max_body_bytes=MAX_BODY,
            rate_limit_burst=1_000_000, rate_limit_per_minute=1_000_000,
        )  # fmt: skip
        app = create_app(settings, store=store)
        sock = socket.socket()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else ~40 ms per request
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            assert not serving.done(), "uvicorn did not start"
            await asyncio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}", key
        finally:
            server.should_exit = True
            await serving
            sock.close()


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for at in range(0, len(body), 4096):
        yield body[at : at + 4096]


def _problem(response: httpx.Response) -> str | None:
    """What is wrong with an answer, or None: a 5xx; a 4xx that is not GraphQL-shaped
    JSON; any error (in a 200 too) without a message and a code."""
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    if status < 400 and not response.headers["content-type"].startswith("application/json"):
        return None  # GraphiQL's page, for a GET without a query
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return f"status {status} without a JSON object"
    if status >= 400 and not errors:
        return f"status {status} without errors"
    if not all(
        isinstance(e.get("message"), str) and isinstance(e.get("extensions", {}).get("code"), str)
        for e in errors
    ):
        return f"status {status} with an error lacking a message or code"
    return None


async def test_no_malformed_request_gets_a_5xx_or_logs_a_traceback(served, caplog):
    base_url, key = served
    # (In this order: set_level sets the capturing handler's level too, the last one wins.)
    caplog.set_level(logging.WARNING, logger="httpx")  # the client's own line per request
    caplog.set_level(logging.INFO)
    probes = list(corpus(random.Random(SEED), key))
    problems: Counter[tuple[str, str]] = Counter()
    statuses: Counter[int] = Counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for probe in probes:
            content = _chunks(probe.body or b"") if probe.chunked else probe.body
            try:
                response = await client.request(
                    probe.method, probe.target, headers=list(probe.headers), content=content
                )
            except httpx.TransportError as e:
                problems[(probe.kind, f"no answer: {type(e).__name__}")] += 1
                continue
            statuses[response.status_code] += 1
            problem = _problem(response)
            if problem:
                problems[(probe.kind, problem)] += 1
    print(f"\nfuzz: {len(probes)} malformed requests sent (seed {SEED}); statuses {dict(statuses)}")
    assert len(probes) >= 2000
    assert not problems, dict(problems)
    noisy = [
        f"{r.name} {r.levelname}: {r.getMessage()[:200]}"
        for r in caplog.records
        if r.exc_info or "Traceback" in r.getMessage() or r.levelno >= logging.WARNING
    ]
    assert not noisy, noisy[:10]
    # One line per refusal.
    refused = sum(count for status, count in statuses.items() if status >= 400)
    assert len([r for r in caplog.records if r.name == "hub.http"]) == refused
