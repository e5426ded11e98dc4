"""The hub as `bench.read` measures it: `hub.app.create_app(settings, store=...)` under
uvicorn (configured like `hub serve`), in its own process, on an already-bound socket.

The store is wrapped so the benchmark can see what the hub sends, and a few routes under
`/_bench/` (outside the hub's app) let it

* record the statements and parameters of the next requests (`POST /_bench/record`, then
  `GET /_bench/statements`), to replay exactly those through the driver;
* read each /graphql request's time in the server and in the store (`GET /_bench/stats`);
* read the server process's CPU time (`GET /_bench/cpu`: all its threads, in seconds);
* profile the server process with pyinstrument (`POST /_bench/profile/start`, `.../stop`;
  a text tree and a `.pyisession` to render again, e.g. as HTML).

    python -m bench.read_server --engine neo4j --address bolt://... --fd N
"""

import argparse
import json
import os
import socket
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from graph.store import GraphStore, Params, Record, StoreWrapper
from hub.app import create_app
from hub.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class RecordingStore(StoreWrapper):
    """Wraps the hub's store: adds up the seconds spent in it, records statements on demand.

    Requests are sequential in the benchmark, so one running total serves one request.
    """

    def __init__(self, store: GraphStore) -> None:
        super().__init__(store)
        self.recording = False
        self.captured: list[dict[str, Any]] = []
        self.seconds = 0.0
        self.calls = 0

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        if self.recording:
            self.captured.append({"query": query, "params": dict(params or {})})
        started = time.perf_counter()
        try:
            return await self.inner.read(query, params)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


class BenchApp:
    """The hub's ASGI app, timed per /graphql request, plus the /_bench/ routes.

    The store is opened in the lifespan, on uvicorn's own event loop (uvloop, as in
    `hub serve`), and handed to ``create_app(settings, store=...)``.
    """

    def __init__(self, engine: str, address: str) -> None:
        self.engine, self.address = engine, address
        # Defaults as `hub serve` has them, but for the per-key rate limit: the benchmark's
        # one app key sends hundreds of requests a minute, which the limiter would refuse
        # with 429 (it is measured by tests, not here). No .env file: the settings are its own.
        self.settings = Settings(
            _env_file=None,
            graph_url="embedded://./unused",
            rate_limit_per_minute=1_000_000,
            rate_limit_burst=1_000_000,
        )
        self.requests: list[dict[str, float]] = []
        self.profiler: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            self.store = RecordingStore(await _connect(self.engine, self.address))
            self.hub = create_app(self.settings, store=self.store)
            try:
                await self.hub(scope, receive, send)
            finally:
                await self.store.close()
            return
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/_bench/"):
            await self._bench(path, scope, send)
            return
        if scope["type"] != "http" or path != "/graphql":
            await self.hub(scope, receive, send)
            return
        self.store.seconds, self.store.calls = 0.0, 0
        started = time.perf_counter()
        await self.hub(scope, receive, send)
        self.requests.append(
            {
                "server_ms": (time.perf_counter() - started) * 1000,
                "store_ms": self.store.seconds * 1000,
                "statements": self.store.calls,
            }
        )

    async def _bench(self, path: str, scope: Scope, send: Send) -> None:
        body: Any = {"ok": True}
        if path == "/_bench/record":
            self.store.recording, self.store.captured = True, []
        elif path == "/_bench/statements":
            body = self.store.captured
            self.store.recording, self.store.captured = False, []
        elif path == "/_bench/cpu":
            body = {"cpu_s": time.process_time()}  # this process, every thread
        elif path == "/_bench/stats":
            body, self.requests = self.requests, []
        elif path == "/_bench/profile/start":
            from pyinstrument import Profiler  # only with --profile: a dev tool

            self.profiler = Profiler(interval=0.0005, async_mode="disabled")
            self.profiler.start()
        elif path == "/_bench/profile/stop":
            self.profiler.stop()
            target = Path(parse_qs(scope["query_string"].decode())["to"][0])
            target.with_suffix(".txt").write_text(
                self.profiler.output_text(unicode=True, color=False, show_all=True)
            )
            # No HTML rendering: on a loaded machine it outlasted the client's timeout.
            # `pyinstrument --load FILE.pyisession -r text --flat` re-renders it (self time).
            self.profiler.last_session.save(str(target.with_suffix(".pyisession")))
            self.profiler = None
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


# The hub's default query timeout; HUB_QUERY_TIMEOUT_S raises it (the overlap matrix at
# 1M customers takes longer than 30 s).
QUERY_TIMEOUT_S = float(os.environ.get("HUB_QUERY_TIMEOUT_S", "30"))


async def _connect(engine: str, address: str) -> GraphStore:
    if engine == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return await Neo4jStore.connect(
            address, auth=None, database="neo4j", timeout_s=QUERY_TIMEOUT_S
        )
    from graph.falkor_store import FalkorStore

    return await FalkorStore.connect(address, timeout_s=QUERY_TIMEOUT_S)


def serve(engine: str, address: str, fd: int) -> None:
    """Serve the hub on the listening socket ``fd`` until SIGTERM."""
    app = BenchApp(engine, address)
    config = uvicorn.Config(app, log_level=app.settings.log_level)
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("neo4j", "embedded"), required=True)
    parser.add_argument("--address", required=True, help="bolt URI or the engine's socket")
    parser.add_argument("--fd", type=int, required=True, help="a bound, listening TCP socket")
    args = parser.parse_args()
    serve(args.engine, args.address, args.fd)


if __name__ == "__main__":
    main()
