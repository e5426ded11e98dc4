"""The compiled executor (schema/compiled.py) A/B, in-process: the hub's app with
HUB_COMPILED_EXECUTION on and off over the same store, against the statement the request
sends, replayed straight through the store (raw). For each customer id in turn, the three
calls in a rotating order, so that load on a shared machine hits all three alike.

Figures: p50 of each, in ms; hub/raw p50 with and without compilation; the hub's own time
(request minus store time) with and without, and their ratio; the CPU time this process
spends per request (time.thread_time: the embedded engine and Neo4j run elsewhere), which
a loaded machine disturbs far less than wall time.

    python -m bench.executor [--customers 2000] [--runs 200] [--engines embedded,neo4j]
"""

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from rich.console import Console

from bench.common import engine, write_results
from bench.peer import HUB_360
from bench.read import c360_query, spread_ids
from bench.read_server import RecordingStore
from graph.store import GraphStore
from hub.app import create_app
from hub.settings import Settings
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role
from schema import build_schema
from schema.compiled import STATS

console = Console(stderr=True, highlight=False, soft_wrap=True)
MODES = ("compiled", "graphql-core", "raw")


@asynccontextmanager
async def _client(store: GraphStore, compiled: bool) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the hub's app over ``store``, its lifespan running (the audit batcher)."""
    settings = Settings(
        _env_file=None, graph_url="embedded://./unused", compiled_execution=compiled,
        rate_limit_per_minute=1_000_000, rate_limit_burst=1_000_000,
    )  # fmt: skip
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield client


async def measure(name: str, customers: int, runs: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    async with engine(name) as (inner, _), AsyncExitStack() as stack:
        await seed(inner, SyntheticConfig(customers=customers))
        store = RecordingStore(inner)
        key = (await create_key(inner, "bench-executor", Role.APP)).key
        headers = {"authorization": f"Bearer {key}"}
        clients = {
            mode: await stack.enter_async_context(_client(store, mode == "compiled"))
            for mode in MODES[:2]
        }
        full, _ = c360_query(build_schema()._schema)
        ids = spread_ids(customers, runs, random.Random(7))
        for case, query in (("c360", full), ("hub360", HUB_360)):
            times: dict[str, list[float]] = {mode: [] for mode in MODES}
            own: dict[str, list[float]] = {mode: [] for mode in MODES[:2]}
            cpu: dict[str, float] = dict.fromkeys(MODES, 0.0)
            for index, customer in enumerate([*ids[:10], *ids]):  # 10 warm-up requests
                body = {"query": query, "variables": {"id": customer}}
                store.recording, store.captured = True, []
                calls: dict[str, Callable[[], Awaitable[Any]]] = {
                    mode: _post(clients[mode], body, headers) for mode in MODES[:2]
                }
                await calls["compiled"]()  # records the statement the raw call replays
                store.recording = False
                # The 360's statement (the others: the key's lookup, the merge check).
                [sent] = [s for s in store.captured if "_parts" in s["query"]]

                async def raw(sent: dict[str, Any] = sent) -> None:
                    await inner.read(sent["query"], sent["params"])

                calls["raw"] = raw
                for mode in MODES[index % 3 :] + MODES[: index % 3]:
                    store.seconds = 0.0
                    started, cpu_started = time.perf_counter(), time.thread_time()
                    await calls[mode]()
                    took = (time.perf_counter() - started) * 1000
                    if index < 10:
                        continue
                    cpu[mode] += (time.thread_time() - cpu_started) * 1000 / runs
                    times[mode].append(took)
                    if mode != "raw":
                        own[mode].append(took - store.seconds * 1000)
            p50 = {mode: statistics.median(t) for mode, t in times.items()}
            hub = {mode: statistics.median(t) for mode, t in own.items()}
            figures |= {f"{case}_{mode}_p50_ms": round(v, 3) for mode, v in p50.items()}
            figures |= {f"{case}_{mode}_own_p50_ms": round(v, 3) for mode, v in hub.items()}
            figures[f"{case}_hub_over_raw_compiled"] = round(p50["compiled"] / p50["raw"], 3)
            figures[f"{case}_hub_over_raw_graphql_core"] = round(
                p50["graphql-core"] / p50["raw"], 3
            )
            figures[f"{case}_own_time_compiled_over_graphql_core"] = round(
                hub["compiled"] / hub["graphql-core"], 3
            )
            figures |= {f"{case}_{mode}_cpu_ms": round(v, 3) for mode, v in cpu.items()}
            figures[f"{case}_cpu_compiled_over_graphql_core"] = round(
                cpu["compiled"] / cpu["graphql-core"], 3
            )
            console.print(
                f"  {name} {case} ({STATS}): p50 compiled {p50['compiled']:.2f} ms, graphql-core "
                f"{p50['graphql-core']:.2f}, raw {p50['raw']:.2f}; hub's own time "
                f"{hub['compiled']:.2f} vs {hub['graphql-core']:.2f} ms; the hub process's CPU "
                f"per request {cpu['compiled']:.2f} vs {cpu['graphql-core']:.2f} ms (raw "
                f"{cpu['raw']:.2f})"
            )
    return figures


def _post(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        response = await client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200 and "errors" not in response.json(), response.text

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--engines", default="embedded,neo4j")
    args = parser.parse_args()
    for name in args.engines.split(","):
        figures = asyncio.run(measure(name, args.customers, args.runs))
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        write_results(
            f"executor_{name}", figures, name, args.customers,
            f"in-process A/B, {args.runs} ids, load average {load} at the end",
        )  # fmt: skip


if __name__ == "__main__":
    main()
