"""Read latency over real HTTP against the same Cypher sent straight through the driver.

For each engine and size (customers seeded by `loaders.seed`, the graph grown from one size
to the next; with ``--fast-seed`` by `hub seed --fast`, each size from an empty graph), the
hub runs as `create_app(settings, store=...)` under uvicorn in its own process
(bench/read_server.py) and an httpx client with one kept-alive connection sends

* **c360**: a full customer-360 request (every Customer field the running schema has: the
  profile, identities, tags, consents, segments, purchases(first: 10) with items and brand
  names, interactions, posts and complaints (first: 10), and any newer field such as contact
  history or metrics, with a selection made from introspection), for ``--runs`` customer
  ids spread over the id range;
* **matrix**: `audienceOverlapMatrix(brands:)` with 20 brand ids, when the schema has it.

The baseline (**raw**) is what the hub sent to the database for that very request: the
server records each statement and its parameters once per id, and the benchmark replays
exactly those through the driver (Neo4j: the official async driver, `execute_query` with
READ routing, records fully fetched; embedded: the FalkorDB client on the engine's socket,
`ro_query`). Each id is timed once on each side, in A-B-B-A order, after a warm-up on
other ids. The server also reports, per request, its own time and the time spent in the
store, which splits hub - raw into HTTP/client, GraphQL/shaping/JSON and store overhead.

    python -m bench.read [--sizes 10000,100000] [--engines neo4j,embedded] [--runs 400]
                         [--matrix-runs 30] [--matrix-seconds 120] [--warmup 40]
                         [--profile DIR] [--fast-seed | --bulk-seed]

Neo4j: HUB_TEST_NEO4J_URI (wiped) or a scripts/neo4j-dev started here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
from falkordb.asyncio import FalkorDB
from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    validate,
)
from neo4j import AsyncGraphDatabase, RoutingControl
from rich.console import Console
from rich.table import Table

from bench.common import (
    RESULTS,
    ROOT,
    Engine,
    bulk_engine_at,
    engine_at,
    pct,
    stop_process,
    wipe,
)
from bench.ingest import environment
from bench.read_server import QUERY_TIMEOUT_S
from graph.errors import GraphError
from graph.falkor_store import GRAPH_NAME
from graph.store import GraphStore
from loaders.fast_seed import seed_fast
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role

console = Console(stderr=True, highlight=False, soft_wrap=True)
TARGET = 1.5  # hub p50 over raw p50 for the customer-360
MATRIX_BRANDS = 20
PAGE = 10
# Sets a property to its own value: the embedded engine takes its write lock only for a
# statement that sets something, and the data stays as it was.
NO_OP_WRITE = "MATCH (b:Brand) WITH b LIMIT 1 SET b.updated_at = b.updated_at"
# The hub's query timeout (bench/read_server.py), as FalkorStore sends it.
FALKOR_TIMEOUT_MS = int(QUERY_TIMEOUT_S * 1000)

# Hand-written selections for the customer-360 fields we know; any other Customer field
# the schema has gets one made from introspection (see auto_selection).
C360_KNOWN = {
    "identities": "{ linkMethod linkConfidence linkedAt account { id platform handle } }",
    "tags": "{ weight source at tag { id name category } }",
    "consents": "{ active purposes grantedAt withdrawnAt source brand { id name } }",
    "segments": "{ segmentId name }",
    "purchases": f"(first: {PAGE}) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{"
    " id at channel currency total brand { id name }"
    " items { quantity unitPrice product { id name } } } }",
    "interactions": f"(first: {PAGE}) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{"
    " kind at text account { handle platform } post { id at contentType } } }",
    "posts": f"(first: {PAGE}) {{ totalCount nodes {{ id at platform contentType text }} }}",
    "complaints": f"(first: {PAGE}) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{"
    " id status category channel openedAt resolvedAt about { kind subjectId } } }",
}
# What a client shows of an entity met inside another one (not its counters or lists).
EMBEDDED_ENTITY = {
    "Brand": ("id", "brandId", "name", "category"),
    "Customer": ("id", "customerId", "name"),
    "Product": ("id", "name", "category"),
    "Tag": ("id", "name", "category"),
    "SocialAccount": ("id", "platform", "handle"),
    "Post": ("id", "at", "contentType"),
    "Purchase": ("id", "at", "total"),
    "Complaint": ("id", "status", "openedAt"),
}


# --- queries made from the running schema ----------------------------------------------


def auto_selection(type_: Any, depth: int, top: bool = False) -> str | None:
    """A selection of ``type_``: every leaf, entities as a client shows them, nested
    objects to ``depth``; lists with a `first` argument (top level only) as a page of
    PAGE. None when nothing can be selected without arguments we cannot guess."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType):
        return "{ __typename }"  # a union or interface: what it is is enough here
    if not top and named.name in EMBEDDED_ENTITY:
        return "{ " + " ".join(f for f in EMBEDDED_ENTITY[named.name] if f in named.fields) + " }"
    if depth == 0:
        return None
    is_page = {"nodes", "pageInfo"} <= named.fields.keys()
    parts = []
    for name, spec in named.fields.items():
        if is_page and name in ("edges", "pageInfo"):
            continue
        required = [a for a, arg in spec.args.items() if is_non_null_type(arg.type)]
        paged = top and "first" in spec.args
        if (spec.args and not paged) or set(required) - {"first"}:
            continue
        sub = auto_selection(spec.type, depth - 1)
        if sub is not None:
            parts.append(f"{name}{f'(first: {PAGE})' if paged else ''} {sub}".rstrip())
    return "{ " + " ".join(parts) + " }" if parts else None


def c360_query(schema: GraphQLSchema) -> tuple[str, list[str]]:
    """The customer-360 request for this schema, and the Customer fields it selects."""
    customer = schema.get_type("Customer")
    assert isinstance(customer, GraphQLObjectType), "the schema has no Customer type"
    parts, names = [], []
    for name, spec in customer.fields.items():
        sub = C360_KNOWN.get(name)
        required = {a for a, arg in spec.args.items() if is_non_null_type(arg.type)}
        if sub is None and not required - {"first"}:
            sub = auto_selection(spec.type, 3)
            if sub is not None and "first" in spec.args:
                sub = f"(first: {PAGE}) {sub}"
        if sub is None:
            console.print(f"  c360: leaving out Customer.{name} (needs arguments we cannot guess)")
            continue
        parts.append(f"{name} {sub}".rstrip())
        names.append(name)
    query = "query C360($id: ID!) { customer(id: $id) { " + " ".join(parts) + " } }"
    _check(schema, query)
    return query, names


def matrix_query(schema: GraphQLSchema) -> str | None:
    """`audienceOverlapMatrix(brands: $brands)` with its whole result, or None if absent."""
    root = schema.query_type
    spec = root.fields.get("audienceOverlapMatrix") if root else None
    if spec is None:
        return None
    sub = auto_selection(spec.type, 4, top=True)
    arg = spec.args["brands"].type
    query = f"query Matrix($brands: {arg}) {{ audienceOverlapMatrix(brands: $brands) {sub or ''} }}"
    _check(schema, query)
    return query


def _check(schema: GraphQLSchema, query: str) -> None:
    errors = validate(schema, parse(query))
    if errors:
        raise SystemExit(f"bench.read built an invalid query ({errors[0].message}): {query}")


# --- the hub in its own process, and the driver beside it --------------------------------


@dataclass
class Hub:
    """The server process and a client on one kept-alive connection."""

    client: httpx.AsyncClient
    log: Path

    async def post(self, query: str, variables: dict[str, Any]) -> tuple[float, bytes]:
        """(milliseconds until the whole body is in, body); the body is checked after."""
        body = orjson.dumps({"query": query, "variables": variables})
        headers = {"content-type": "application/json"}
        started = time.perf_counter()
        response = await self.client.post("/graphql", content=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return elapsed, response.content

    async def bench(self, route: str, **params: str) -> Any:
        response = await self.client.post(f"/_bench/{route}", params=params)
        response.raise_for_status()
        return response.json()


@contextlib.asynccontextmanager
async def hub_server(name: str, address: str, work: Path, api_key: str) -> AsyncIterator[Hub]:
    """Start bench.read_server on a free loopback port; stop it (SIGTERM) on exit. The
    client sends ``api_key`` (an app key) with every request, as a frontend would."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    log = work / f"server-{name}.log"
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.read_server", "--engine", name,
             "--address", address, "--fd", str(listener.fileno())],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
            pass_fds=[listener.fileno()],
        )  # fmt: skip
    listener.close()  # the child has its own copy
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=max(120.0, QUERY_TIMEOUT_S + 30),
            limits=limits,
            headers={"x-api-key": api_key},
        ) as client:  # fmt: skip
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the hub server exited; see {log}: {_tail(log)}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"the hub server did not answer in 60 s; see {log}")
                await asyncio.sleep(0.1)
            yield Hub(client, log)
    finally:
        stop_process(process)


def _tail(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else "(empty log)"


Statement = dict[str, Any]  # {"query": ..., "params": {...}}


class Raw:
    """The database driver itself, beside the hub, on the same engine."""

    def __init__(self, name: str, address: str) -> None:
        self.name = name
        if name == "neo4j":
            self._driver = AsyncGraphDatabase.driver(address, notifications_min_severity="OFF")
        else:
            self._falkor = FalkorDB(unix_socket_path=address)
            self._graph = self._falkor.select_graph(GRAPH_NAME)

    async def run(self, statements: Sequence[Statement]) -> float:
        """Milliseconds to run ``statements`` one after the other, every record fetched."""
        started = time.perf_counter()
        for s in statements:
            if self.name == "neo4j":
                result = await self._driver.execute_query(
                    s["query"], s["params"], routing_=RoutingControl.READ, database_="neo4j"
                )
                assert result.records is not None
            else:
                # with the timeout the hub's store sends too (the same command)
                rows = await self._graph.ro_query(s["query"], s["params"], FALKOR_TIMEOUT_MS)
                assert rows.result_set is not None
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        if self.name == "neo4j":
            await self._driver.close()
        else:
            await self._falkor.connection.aclose()


# --- one case: hub over HTTP against the replayed statements ---------------------------


@dataclass
class Case:
    name: str
    query: str
    variables: list[dict[str, Any]]  # one per sample
    warmup: list[dict[str, Any]]
    check: Callable[[dict[str, Any]], None]
    samples: dict[str, list[float]] = field(default_factory=dict)
    statements: int = 0
    response_bytes: list[int] = field(default_factory=list)


def _errors(body: bytes) -> dict[str, Any]:
    payload: dict[str, Any] = orjson.loads(body)
    if payload.get("errors"):
        raise RuntimeError(f"the hub answered with errors: {payload['errors'][:2]}")
    return payload


async def run_case(
    hub: Hub, raw: Raw, case: Case, profile: Path | None, budget_s: float = float("inf")
) -> None:
    """Warm up, record each sample's statements, then time hub and raw A-B-B-A; stop
    early (after at least 5 samples a side) once ``budget_s`` seconds have gone."""
    for variables in case.warmup:
        case.check(_errors((await hub.post(case.query, variables))[1]))
    captured: dict[bytes, list[Statement]] = {}
    for variables in case.variables:
        key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        if key not in captured:
            await hub.bench("record")
            _, body = await hub.post(case.query, variables)
            case.check(_errors(body))
            captured[key] = await hub.bench("statements")
    case.statements = max(len(c) for c in captured.values())
    for statements in list(captured.values())[: len(case.warmup)]:
        await raw.run(statements)
    await hub.bench("stats")  # drop the warm-up's
    hub_ms, raw_ms = [], []
    started = time.monotonic()
    for i, variables in enumerate(case.variables):
        if i >= 5 and time.monotonic() - started > budget_s:
            console.print(f"  {case.name}: stopped after {i} samples ({budget_s:.0f} s budget)")
            break
        statements = captured[orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)]
        for side in ("hub", "raw") if i % 4 in (0, 3) else ("raw", "hub"):
            if side == "hub":
                elapsed, body = await hub.post(case.query, variables)
                hub_ms.append(elapsed)
                case.response_bytes.append(len(body))
            else:
                raw_ms.append(await raw.run(statements))
    server = await hub.bench("stats")
    case.samples = {
        "hub": hub_ms,
        "raw": raw_ms,
        "server": [r["server_ms"] for r in server],
        "store": [r["store_ms"] for r in server],
    }
    if profile is not None:  # a separate, hub-only pass: the profiler slows the server
        await hub.bench("profile/start")
        for variables in case.variables:
            await hub.post(case.query, variables)
        await hub.bench("profile/stop", to=str(profile))
        await hub.bench("stats")


async def floors(hub: Hub, runs: int) -> dict[str, float]:
    """What any request costs: GET /healthz (uvicorn + Starlette + the client) and the
    smallest GraphQL request, `{ __typename }` (+ Strawberry, no resolver, no database)."""
    health, typename = [], []
    for _ in range(runs):
        started = time.perf_counter()
        (await hub.client.get("/healthz")).raise_for_status()
        health.append((time.perf_counter() - started) * 1000)
        typename.append((await hub.post("{ __typename }", {}))[0])
    await hub.bench("stats")
    return {
        "http_p50_ms": statistics.median(health),
        "graphql_p50_ms": statistics.median(typename),
    }


def summary(case: Case) -> dict[str, float]:
    s = case.samples
    out = {f"{side}_p50_ms": statistics.median(v) for side, v in s.items()}
    out |= {f"{side}_p99_ms": pct(v, 99) for side, v in s.items() if side in ("hub", "raw")}
    out["hub_over_raw_p50"] = out["hub_p50_ms"] / out["raw_p50_ms"]
    out["statements"] = case.statements
    out["response_kb_p50"] = statistics.median(case.response_bytes) / 1024
    return out


# --- an engine, size by size ------------------------------------------------------------


def spread_ids(customers: int, count: int, rng: random.Random) -> list[str]:
    """``count`` customer ids, one drawn from each of ``count`` equal strides of the range."""
    stride = customers / count
    return [f"c{int(k * stride + rng.random() * stride) + 1:07d}" for k in range(count)]


async def seed_to(store: GraphStore, customers: int, fast: bool = False) -> dict[str, float]:
    progress = _progress(customers, "seeding")
    report = await (seed_fast if fast else seed)(
        store, SyntheticConfig(customers=customers), progress
    )
    return {"seed_s": report.seconds, "rows": report.total_rows}


async def measure_engine(
    name: str, args: argparse.Namespace, work: Path, save_size: Callable[[int, Any], None]
) -> None:
    """Seed each size in turn and measure it; ``save_size`` gets each size's results."""
    if args.bulk_seed:
        # Each size its own graph, imported offline into a new Neo4j (hub seed --bulk-neo4j).
        matrix_failed: str | None = None
        for size in args.sizes:
            console.print(f"[bold]{name}[/], {size:,} customers: bulk import")
            config = SyntheticConfig(customers=size)
            async with bulk_engine_at(name, config, _progress(size, "tables")) as opened:
                seeded = {"bulk": True, **opened.figures}
                console.print(f"  imported {seeded['rows']:,} rows: {opened.figures}")
                matrix_failed = await _measure_seeded(
                    name, size, opened, seeded, args, work, save_size, matrix_failed
                )
        return
    matrix_failed = None
    async with engine_at(name) as opened:
        for i, size in enumerate(args.sizes):
            if args.fast_seed and i > 0:
                # The fast seed writes fastest into an empty graph (loaders/fast_seed.py):
                # seeding the larger size from nothing beats growing the smaller one.
                console.print(f"[bold]{name}[/]: wiping the {args.sizes[i - 1]:,}-customer graph")
                await wipe(opened.store)
            grows = "from empty" if args.fast_seed else "grows the graph"
            console.print(f"[bold]{name}[/], {size:,} customers: seeding ({grows})")
            seeded = await seed_to(opened.store, size, args.fast_seed)
            console.print(f"  seeded {seeded['rows']:,} rows in {seeded['seed_s']:.1f}s")
            matrix_failed = await _measure_seeded(
                name, size, opened, seeded, args, work, save_size, matrix_failed
            )


async def _measure_seeded(
    name: str,
    size: int,
    opened: Engine,
    seeded: dict[str, Any],
    args: argparse.Namespace,
    work: Path,
    save_size: Callable[[int, Any], None],
    matrix_failed: str | None,
) -> str | None:
    """Measure one seeded size and save it; the matrix failure to carry to larger sizes."""
    result: dict[str, Any] = {"seed": seeded, "measured_at": _now()}
    raw = Raw(name, opened.address)
    key = (await create_key(opened.store, f"bench-read-{size}", Role.APP)).key
    try:
        async with hub_server(name, opened.address, work, key) as hub:
            result |= await measure_size(name, size, hub, raw, args, matrix_failed)
    finally:
        await raw.close()
    if "matrix_failed" in result:
        matrix_failed = f"failed at {size:,} customers: {result['matrix_failed']}"
        await wait_until_free(opened.store)
    save_size(size, result)
    return matrix_failed


def _progress(customers: int, doing: str) -> Callable[[str, int], None]:
    """A progress callback printing ``doing`` and the customers done, every tenth."""
    step = max(1000, customers // 10)
    done = 0
    started = time.perf_counter()

    def progress(kind: str, rows: int) -> None:
        nonlocal done
        if kind == "customers":
            before, done = done, done + rows
            if done // step != before // step:
                console.print(
                    f"  {doing}: {done:,}/{customers:,} customers "
                    f"({time.perf_counter() - started:.0f}s)"
                )

    return progress


async def wait_until_free(store: GraphStore, limit_s: float = 1800.0) -> None:
    """After a statement timed out on the client, the engine may still be running it, and
    the embedded engine's writes (the next seeding) wait for its reads to finish: wait
    until a write that changes nothing goes through."""
    started = time.monotonic()
    while True:
        try:
            await store.write(NO_OP_WRITE)
            return
        except GraphError:
            if time.monotonic() - started > limit_s:
                raise
            console.print("  waiting for the engine to finish the timed-out statement")


async def measure_size(
    name: str, size: int, hub: Hub, raw: Raw, args: argparse.Namespace, matrix_failed: str | None
) -> dict[str, Any]:
    _, body = await hub.post(get_introspection_query(descriptions=False), {})
    schema = build_client_schema(_errors(body)["data"])
    query, fields = c360_query(schema)
    rng = random.Random(f"{name}-{size}")
    ids = spread_ids(size, args.runs, rng)
    warm = spread_ids(size, args.warmup, rng)

    def customer_found(payload: dict[str, Any]) -> None:
        assert payload["data"]["customer"] is not None, "customer not found"

    profile = args.profile / f"read_{name}_{size}_c360" if args.profile else None

    result: dict[str, Any] = {"floor": await floors(hub, args.runs), "queries": {}}
    c360 = Case("c360", query, [{"id": i} for i in ids], [{"id": i} for i in warm],
                customer_found)  # fmt: skip
    console.print(f"  c360: {len(ids)} customers x (hub, raw), fields: {', '.join(fields)}")
    await run_case(hub, raw, c360, profile)
    result |= {"c360": summary(c360), "c360_fields": fields}
    result["queries"]["c360"] = query
    _say(name, size, "c360", result["c360"])
    console.print(
        f"  floors: GET /healthz p50 {result['floor']['http_p50_ms']:.2f} ms, "
        f"{{ __typename }} p50 {result['floor']['graphql_p50_ms']:.2f} ms"
    )

    matrix = matrix_query(schema)
    if matrix is None:
        result["matrix_skipped"] = (
            "the schema has no Query.audienceOverlapMatrix yet; matrix not measured"
        )
        console.print(f"  [yellow]matrix skipped[/]: {result['matrix_skipped']}")
        return result
    if matrix_failed is not None:
        result["matrix_skipped"] = f"not measured: it {matrix_failed}"
        console.print(f"  [yellow]matrix skipped[/]: {result['matrix_skipped']}")
        return result
    brands = [f"b{n:04d}" for n in range(1, MATRIX_BRANDS + 1)]
    variables = [{"brands": brands}] * args.matrix_runs
    case = Case("matrix", matrix, variables, variables[:1], lambda payload: None)
    console.print(f"  matrix: {MATRIX_BRANDS} brands x {args.matrix_runs} (hub, raw)")
    try:
        await run_case(hub, raw, case, None, budget_s=args.matrix_seconds)
    except (RuntimeError, httpx.HTTPError) as e:
        result["matrix_failed"] = f"{type(e).__name__}: {e}"
        result["matrix_skipped"] = f"audienceOverlapMatrix failed: {result['matrix_failed']}"
        console.print(f"  [red]matrix failed[/]: {e}")
        return result
    result["matrix"] = summary(case)
    result["queries"]["matrix"] = matrix
    _say(name, size, "matrix", result["matrix"])
    return result


def _say(name: str, size: int, case: str, s: dict[str, float]) -> None:
    console.print(
        f"  {name} {size:,} {case}: hub p50 {s['hub_p50_ms']:.2f} ms (p99 "
        f"{s['hub_p99_ms']:.2f}), raw p50 {s['raw_p50_ms']:.2f} ms (p99 {s['raw_p99_ms']:.2f}),"
        f" hub/raw {s['hub_over_raw_p50']:.2f}; server {s['server_p50_ms']:.2f}, store "
        f"{s['store_p50_ms']:.2f}, {s['statements']:.0f} statement(s)"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- results ----------------------------------------------------------------------------


def figures_of(results: dict[str, dict[int, Any]]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for name, sizes in results.items():
        for size, r in sizes.items():
            prefix = f"{name}_{size}"
            figures[f"{prefix}_seed_s"] = round(r["seed"]["seed_s"], 1)
            for case in ("floor", "c360", "matrix"):
                for key, value in r.get(case, {}).items():
                    figures[f"{prefix}_{case}_{key}"] = round(value, 3)
    return figures


def save(payload: dict[str, Any]) -> None:
    """bench/results/read.json; engines and sizes not run this time keep their last results."""
    path = RESULTS / "read.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = payload["engines"]
    if path.exists():
        old = json.loads(path.read_text())
        for name, sizes in old.get("engines", {}).items():
            for size, result in sizes.items():
                results.setdefault(name, {}).setdefault(int(size), result)
    payload["figures"] = figures_of(results)
    payload["engine"] = ",".join(results)
    payload["rows"] = max(r["seed"]["rows"] for sizes in results.values() for r in sizes.values())
    payload["engines"] = {
        name: {str(size): r for size, r in sorted(sizes.items())} for name, sizes in results.items()
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def table(engines: dict[str, dict[str, Any]]) -> Table:
    t = Table(title=f"read latency over HTTP vs the same Cypher via the driver (target hub/raw "
                    f"p50 <= {TARGET})")  # fmt: skip
    for col in ("engine", "customers", "seed s", "c360 hub p50", "p99", "raw p50", "p99",
                "hub/raw", "server p50", "store p50", "matrix hub p50", "p99", "raw p50",
                "hub/raw"):  # fmt: skip
        t.add_column(col, justify="right")
    for name, sizes in engines.items():
        for size, r in sizes.items():
            c, m = r["c360"], r.get("matrix")
            ratio = f"{c['hub_over_raw_p50']:.2f}"
            matrix = (
                [f"{m['hub_p50_ms']:.1f}", f"{m['hub_p99_ms']:.1f}", f"{m['raw_p50_ms']:.1f}",
                 f"{m['hub_over_raw_p50']:.2f}"]
                if m else ["-", "-", "-", "-"]
            )  # fmt: skip
            t.add_row(name, f"{int(size):,}", f"{r['seed']['seed_s']:.0f}",
                      f"{c['hub_p50_ms']:.2f}", f"{c['hub_p99_ms']:.2f}", f"{c['raw_p50_ms']:.2f}",
                      f"{c['raw_p99_ms']:.2f}",
                      ratio if c["hub_over_raw_p50"] <= TARGET else f"[red]{ratio}[/]",
                      f"{c['server_p50_ms']:.2f}", f"{c['store_p50_ms']:.2f}", *matrix)  # fmt: skip
    return t


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 100:
        raise argparse.ArgumentTypeError("sizes are customer counts of at least 100, e.g. 10000")
    return sizes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[10_000, 100_000],
        help="customer counts, comma-separated (seeded smallest first)",
    )
    parser.add_argument("--engines", default="neo4j,embedded")
    parser.add_argument(
        "--runs", type=int, default=400, help="customer-360 samples per side (one id each)"
    )
    parser.add_argument("--matrix-runs", type=int, default=30, help="matrix samples per side")
    parser.add_argument(
        "--matrix-seconds",
        type=float,
        default=120.0,
        help="stop the matrix samples after this long (at least 5 a side)",
    )
    parser.add_argument("--warmup", type=int, default=40, help="warm-up requests (other ids)")
    parser.add_argument(
        "--fast-seed",
        action="store_true",
        help="seed with loaders.fast_seed (`hub seed --fast`): for 1M customers",
    )
    parser.add_argument(
        "--bulk-seed",
        action="store_true",
        help="each size imported offline into a new Neo4j (`hub seed --bulk-neo4j`): "
        "1M customers in minutes; Neo4j only",
    )
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="also profile the server (pyinstrument) in a separate hub-only "
                        "pass; reports to DIR/read_<engine>_<size>_<case>.txt "
                        "(and .pyisession)")  # fmt: skip
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    if unknown := set(engines) - {"neo4j", "embedded"}:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    if args.bulk_seed and engines != ["neo4j"]:
        parser.error("--bulk-seed imports into Neo4j only: add --engines neo4j")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "settings": {"sizes": args.sizes, "runs": args.runs, "matrix_runs": args.matrix_runs,
                     "matrix_seconds": args.matrix_seconds,
                     "warmup": args.warmup, "page": PAGE, "matrix_brands": MATRIX_BRANDS},
        "environment": environment(),
        "target_hub_over_raw_p50": TARGET,
        "notes": (
            "hub = POST /graphql over HTTP/1.1 keep-alive to uvicorn (as `hub serve`) in its "
            "own process, until the body is in; raw = the statements the hub sent for that "
            "request, recorded per id and replayed through the driver (neo4j execute_query "
            "READ routing / FalkorDB ro_query), records fetched; A-B-B-A per id after a "
            "warm-up; server/store = the server's own time and its time in the store, per "
            "request; the graph grows from one size to the next (same generator, same data)"
        ),
    }  # fmt: skip
    results: dict[str, dict[int, Any]] = {}

    def save_size(name: str, size: int, result: Any) -> None:
        result["git_commit"] = payload["environment"]["git_commit"]
        results.setdefault(name, {})[size] = result
        save(payload | {"engines": {n: dict(sizes) for n, sizes in results.items()}})

    with tempfile.TemporaryDirectory(prefix="bench-read-") as tmp:
        for name in engines:
            asyncio.run(measure_engine(name, args, Path(tmp), partial(save_size, name)))
    shown = json.loads((RESULTS / "read.json").read_text())["engines"]
    Console(width=160).print(table(shown))
    console.print(f"figures in {RESULTS / 'read.json'} (commit "
                  f"{payload['environment']['git_commit']})")  # fmt: skip


if __name__ == "__main__":
    main()
