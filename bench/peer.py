"""The hub against the Neo4j GraphQL Library (issue 14, part 4): the same customer-360 over
HTTP, on the same Neo4j and the same seeded customers.

The peer is `@neo4j/graphql` 7 under Apollo Server with neo4j-driver 6, pinned in
bench/peer/package.json and package-lock.json (`npm ci` into bench/peer/node_modules at
bench time), with type definitions that map the hub's graph model (bench/peer/server.mjs).
The hub is `hub serve --workers N` as a process, configured from the environment as in
production (rate limits raised out of the way), once with one worker and once with the
default (one per core). Both answer an equivalent query (HUB_360, PEER_360; the
differences are in bench/README.md).

* **sequential**: one client on one kept-alive connection, ``--runs`` customer ids spread
  over the id range, each id once on each side, A-B-B-A, after a warm-up;
* **concurrent**: ``--clients`` clients (own connections) each sending ``--requests``
  requests as fast as answers come, in rounds A-B-B-A; req/s over the round's wall time
  and the p99 of every request's latency;
* **db hits**: both sides' statements for one customer, PROFILEd on the same Neo4j (the
  hub's through bench/plans.py's ProfilingStore in-process, the library's as it sent them).

Skipped, with a message, when Node.js or npm is missing.

    python -m bench.peer [--customers 10000] [--runs 300] [--clients 8] [--requests 100]

Neo4j: HUB_TEST_NEO4J_URI (wiped) or a scripts/neo4j-dev started here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console

from bench.common import ROOT, engine_at, pct, stop_process, write_results
from bench.ingest import environment
from bench.plans import ProfilingStore
from bench.read import seed_to, spread_ids
from graph.store import GraphStore
from resolvers.context import Context
from resolvers.keys import create_key
from resolvers.principal import Principal, Role
from schema import build_schema

console = Console(stderr=True, highlight=False, soft_wrap=True)
PEER_DIR = ROOT / "bench" / "peer"
HUB = str(Path(sys.executable).with_name("hub"))

# The customer-360 both sides answer: profile, identities, tags, consents, the newest 10
# purchases with items and brand, the newest interactions with their posts, the newest 10
# complaints, with the counts of purchases, interactions and complaints.
HUB_360 = """query C360($id: ID!) { customer(id: $id) {
  customerId name email phone gender birthYear city region country
  identities { linkMethod linkConfidence linkedAt account { accountId platform handle } }
  tags { weight source at tag { tagId name category } }
  consents { purposes grantedAt withdrawnAt source brand { brandId name } }
  purchases(first: 10) { totalCount nodes { purchaseId at channel currency total
    brand { brandId name } items { quantity unitPrice product { productId name } } } }
  interactions(first: 10) { totalCount nodes { kind at text account { accountId }
    post { postId at contentType } } }
  complaints(first: 10) { totalCount nodes { complaintId status category channel openedAt
    resolvedAt } } } }"""
PEER_360 = """query C360($id: ID!) { customers(where: { id: { eq: $id } }) {
  id name email phone gender birth_year city region country
  identitiesConnection { edges { properties { method confidence linked_at }
    node { id platform handle
      interactionsConnection(first: 10, sort: [{ edge: { at: DESC } }]) { totalCount
        edges { properties { kind at text } node { id at content_type } } } } } }
  tagsConnection { edges { properties { weight source at } node { id name category } } }
  consentsConnection { edges { properties { purposes granted_at withdrawn_at source }
    node { id name } } }
  purchasesConnection { totalCount }
  purchases(sort: [{ at: DESC }], limit: 10) { id at channel currency total brand { id name }
    itemsConnection { edges { properties { quantity unit_price } node { id name } } } }
  complaintsConnection(first: 10, sort: [{ node: { opened_at: DESC } }]) { totalCount
    edges { node { id status category channel opened_at resolved_at } } } } }"""


# The customer whose statements are PROFILEd: the first with every part of a 360 filled
# (a page of purchases, a complaint, a consent, a tag, interactions), not one with nothing.
FULL_360_CUSTOMER = """MATCH (c:Customer)
WHERE size([(c)-[:MADE]->(p:Purchase) | p]) >= 10 AND exists { (c)-[:FILED]->(:Complaint) }
  AND exists { (c)-[:CONSENTED]->(:Brand) } AND exists { (c)-[:TAGGED]->(:Tag) }
  AND exists { (c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post) }
RETURN c.id AS id ORDER BY c.id LIMIT 1"""


def node_missing() -> str | None:
    """Why the peer cannot run here (None when it can)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH (Node.js 20+ runs the Neo4j GraphQL Library)"
    return None


def install_peer() -> None:
    """`npm ci` from the pinned lock file, unless node_modules already matches it."""
    stamp = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    console.print("peer: npm ci (bench/peer/package-lock.json)")
    npm = shutil.which("npm")
    assert npm is not None  # node_missing() said so
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=PEER_DIR, check=True)  # fmt: skip


# --- the two servers --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def _process(
    argv: list[str], env: dict[str, str], log: Path, port: int | None
) -> AsyncIterator[int]:
    """Run ``argv``; yield its port (given, or read from its "listening PORT" line) once
    it answers; SIGTERM it on exit."""
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stderr=log_file,
            stdout=subprocess.PIPE if port is None else log_file, cwd=ROOT,
        )  # fmt: skip
    try:
        if port is None:
            assert process.stdout is not None
            line = await asyncio.to_thread(process.stdout.readline)
            if not line.startswith(b"listening "):
                raise SystemExit(f"{argv[0]} did not start; see {log}")
            port = int(line.split()[1])
        deadline = time.monotonic() + 300  # a loaded machine starts Python slowly
        async with httpx.AsyncClient() as client:
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"{' '.join(argv[:3])} exited; see {log}")
                with contextlib.suppress(httpx.TransportError):
                    await client.get(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{' '.join(argv[:3])} did not answer in 300 s; see {log}")
                await asyncio.sleep(0.2)
        yield port
    finally:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()


def hub_server(
    uri: str, workers: int | None, work: Path
) -> contextlib.AbstractAsyncContextManager[int]:
    """`hub serve` on ``uri`` with ``workers`` (None: the default) on a free port."""
    port = _free_port()
    env = os.environ | {
        "HUB_GRAPH_URL": uri, "HUB_HOST": "127.0.0.1", "HUB_PORT": str(port),
        "HUB_LOG_LEVEL": "warning",
        # The benchmark sends thousands of requests a minute with one key.
        "HUB_RATE_LIMIT_PER_MINUTE": "1000000", "HUB_RATE_LIMIT_BURST": "1000000",
    }  # fmt: skip
    argv = [HUB, "serve", *(["--workers", str(workers)] if workers else [])]
    return _process(argv, env, work / f"hub-{workers or 'default'}.log", port)


def peer_server(uri: str, work: Path, capture: Path | None = None) -> Any:
    env = os.environ | {"NODE_ENV": "production"}
    if capture is not None:
        env["PEER_CAPTURE"] = str(capture)
    node = shutil.which("node")
    assert node is not None  # node_missing() said so
    return _process([node, str(PEER_DIR / "server.mjs"), uri], env, work / "peer.log", None)


@dataclass
class Side:
    name: str
    url: str
    query: str
    headers: dict[str, str]

    def body(self, customer: str) -> bytes:
        return orjson.dumps({"query": self.query, "variables": {"id": customer}})

    async def post(self, client: httpx.AsyncClient, customer: str) -> float:
        """Milliseconds until the whole answer is in; raises on an error or no customer."""
        started = time.perf_counter()
        response = await client.post(self.url, content=self.body(customer), headers=self.headers)
        elapsed = (time.perf_counter() - started) * 1000
        payload = response.json()
        if response.status_code != 200 or payload.get("errors"):
            raise RuntimeError(f"{self.name} answered {response.status_code}: {payload}"[:500])
        data = payload["data"]
        if not (data.get("customer") or data.get("customers")):
            raise RuntimeError(f"{self.name}: customer {customer} not found")
        return elapsed


# --- measurements -----------------------------------------------------------------------


async def sequential(a: Side, b: Side, ids: list[str], warm: list[str]) -> dict[str, list[float]]:
    """Each id once a side on one connection each, A-B-B-A."""
    samples: dict[str, list[float]] = {a.name: [], b.name: []}
    limits = httpx.Limits(max_connections=1)
    async with (
        httpx.AsyncClient(timeout=60, limits=limits) as ca,
        httpx.AsyncClient(timeout=60, limits=limits) as cb,
    ):
        clients = {a.name: ca, b.name: cb}
        for customer in warm:
            await a.post(ca, customer)
            await b.post(cb, customer)
        for i, customer in enumerate(ids):
            for side in (a, b) if i % 4 in (0, 3) else (b, a):
                samples[side.name].append(await side.post(clients[side.name], customer))
    return samples


async def concurrent_round(
    side: Side, ids: list[str], clients: int, requests: int
) -> dict[str, float]:
    """``clients`` clients on their own connections, ``requests`` each; req/s and p99."""
    latencies: list[float] = []

    async def client(k: int) -> None:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) as c:
            await side.post(c, ids[k])  # the connection is open before the clock starts
            await ready.wait()
            for j in range(requests):
                latencies.append(await side.post(c, ids[(k * requests + j) % len(ids)]))

    ready = asyncio.Event()
    tasks = [asyncio.create_task(client(k)) for k in range(clients)]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    ready.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    return {"req_s": len(latencies) / seconds, "p50_ms": statistics.median(latencies),
            "p99_ms": pct(latencies, 99)}  # fmt: skip


async def concurrent(
    a: Side, b: Side, ids: list[str], clients: int, requests: int
) -> dict[str, Any]:
    """Rounds A-B-B-A; each side's figures are the means of its two rounds."""
    rounds: dict[str, list[dict[str, float]]] = {a.name: [], b.name: []}
    for side in (a, b, b, a):
        rounds[side.name].append(await concurrent_round(side, ids, clients, requests))
    return {
        name: {key: statistics.mean(r[key] for r in runs) for key in runs[0]} | {"rounds": runs}
        for name, runs in rounds.items()
    }


async def db_hits(store: GraphStore, uri: str, customer: str, work: Path) -> dict[str, Any]:
    """Both sides' statements for ``customer`` PROFILEd: the hub's in-process (same plan as
    over HTTP), the library's as it sent them (captured by bench/peer/server.mjs)."""
    profiling = ProfilingStore(uri)
    try:
        principal = Principal("bench-peer", Role.APP)
        result = await build_schema().execute(
            HUB_360, variable_values={"id": customer}, context_value=Context(profiling, principal)
        )
        assert not result.errors, result.errors
        hub = list(profiling.profiled)
        capture = work / "peer-statements.jsonl"
        capture.unlink(missing_ok=True)
        async with peer_server(uri, work, capture) as port:
            side = Side("library", f"http://127.0.0.1:{port}/graphql", PEER_360,
                        {"content-type": "application/json"})  # fmt: skip
            async with httpx.AsyncClient(timeout=60) as client:
                await side.post(client, customer)
        profiling.profiled = []
        for line in capture.read_text().splitlines():
            sent = json.loads(line)
            await profiling.read(sent["query"], sent["params"])
        library = list(profiling.profiled)
    finally:
        await profiling.close()
    audit = [h for name, h in hub if name == "audit.INSERT_AUDIT_ENTRY"]
    return {
        "customer": customer,
        "hub_statements": [[n, h] for n, h in hub],
        "library_statements": [[n, h] for n, h in library],
        "hub_db_hits": sum(h for n, h in hub if n != "audit.INSERT_AUDIT_ENTRY"),
        "hub_audit_db_hits": sum(audit),
        "library_db_hits": sum(h for _, h in library),
    }


async def same_answer(hub: Side, library: Side, customer: str) -> dict[str, int]:
    """What both sides found for one customer, counted; raises if they differ."""
    async with httpx.AsyncClient(timeout=60) as client:
        h = (await client.post(hub.url, content=hub.body(customer), headers=hub.headers)).json()
        p = (await client.post(library.url, content=library.body(customer),
                               headers=library.headers)).json()  # fmt: skip
    c, [l] = h["data"]["customer"], p["data"]["customers"]  # noqa: E741
    counts = {
        "identities": (len(c["identities"]), len(l["identitiesConnection"]["edges"])),
        "tags": (len(c["tags"]), len(l["tagsConnection"]["edges"])),
        "consents": (len(c["consents"]), len(l["consentsConnection"]["edges"])),
        "purchases": (c["purchases"]["totalCount"], l["purchasesConnection"]["totalCount"]),
        "purchase_page": (len(c["purchases"]["nodes"]), len(l["purchases"])),
        "interactions": (c["interactions"]["totalCount"], sum(
            e["node"]["interactionsConnection"]["totalCount"]
            for e in l["identitiesConnection"]["edges"])),
        "complaints": (c["complaints"]["totalCount"], l["complaintsConnection"]["totalCount"]),
    }  # fmt: skip
    differ = {k: v for k, v in counts.items() if v[0] != v[1]}
    if differ:
        raise SystemExit(f"hub and library disagree on {customer}: {differ}")
    return {k: v[0] for k, v in counts.items()}


# --- the run ----------------------------------------------------------------------------


async def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with engine_at("neo4j") as opened:
        console.print(f"seeding {args.customers:,} customers on Neo4j")
        out["seed"] = await seed_to(opened.store, args.customers)
        key = (await create_key(opened.store, "bench-peer", Role.APP)).key
        rng = random.Random(f"peer-{args.customers}")
        ids = spread_ids(args.customers, args.runs, rng)
        warm = spread_ids(args.customers, args.warmup, rng)
        [rich] = await opened.store.read(FULL_360_CUSTOMER)
        out["db_hits"] = await db_hits(opened.store, opened.address, rich["id"], work)
        async with peer_server(opened.address, work) as peer_port:
            library = Side("library", f"http://127.0.0.1:{peer_port}/graphql", PEER_360,
                           {"content-type": "application/json"})  # fmt: skip
            for workers in (1, None):
                label = f"workers_{workers or 'default'}"
                async with hub_server(opened.address, workers, work) as hub_port:
                    hub = Side("hub", f"http://127.0.0.1:{hub_port}/graphql", HUB_360,
                               {"content-type": "application/json",
                                "authorization": f"Bearer {key}"})  # fmt: skip
                    if "answer_counts" not in out:
                        out["answer_counts"] = await same_answer(hub, library, ids[0])
                    console.print(f"  hub ({label}) vs library: sequential, {len(ids)} ids")
                    seq = await sequential(hub, library, ids, warm)
                    console.print(f"  hub ({label}) vs library: {args.clients} clients")
                    conc = await concurrent(hub, library, ids, args.clients, args.requests)
                out[label] = {"sequential": {n: {"p50_ms": statistics.median(s),
                                                 "p99_ms": pct(s, 99)} for n, s in seq.items()},
                              "concurrent": conc}  # fmt: skip
                _say(label, out[label])
    return out


def _say(label: str, r: dict[str, Any]) -> None:
    s, c = r["sequential"], r["concurrent"]
    console.print(
        f"  {label}: sequential p50 hub {s['hub']['p50_ms']:.2f} / library "
        f"{s['library']['p50_ms']:.2f} ms ({s['hub']['p50_ms'] / s['library']['p50_ms']:.2f}); "
        f"concurrent hub {c['hub']['req_s']:.0f} req/s p99 {c['hub']['p99_ms']:.1f} ms, library "
        f"{c['library']['req_s']:.0f} req/s p99 {c['library']['p99_ms']:.1f} ms"
    )


def figures_of(out: dict[str, Any]) -> dict[str, float]:
    f: dict[str, float] = {}
    for label in ("workers_1", "workers_default"):
        s, c = out[label]["sequential"], out[label]["concurrent"]
        for side in ("hub", "library"):
            f[f"{label}_seq_{side}_p50_ms"] = s[side]["p50_ms"]
            f[f"{label}_seq_{side}_p99_ms"] = s[side]["p99_ms"]
            f[f"{label}_conc_{side}_req_s"] = c[side]["req_s"]
            f[f"{label}_conc_{side}_p99_ms"] = c[side]["p99_ms"]
        f[f"{label}_seq_hub_over_library_p50"] = s["hub"]["p50_ms"] / s["library"]["p50_ms"]
        f[f"{label}_conc_hub_over_library_req_s"] = c["hub"]["req_s"] / c["library"]["req_s"]
        f[f"{label}_conc_hub_over_library_p99"] = c["hub"]["p99_ms"] / c["library"]["p99_ms"]
    d = out["db_hits"]
    f |= {"db_hits_hub": d["hub_db_hits"], "db_hits_library": d["library_db_hits"],
          "db_hits_hub_audit": d["hub_audit_db_hits"],
          "db_hits_hub_over_library": d["hub_db_hits"] / d["library_db_hits"]}  # fmt: skip
    return {k: round(v, 3) for k, v in f.items()}


def _node_version() -> str:
    done = subprocess.run([str(shutil.which("node")), "--version"], capture_output=True, text=True)
    return done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300, help="sequential samples per side")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="per client per round")
    args = parser.parse_args(argv)
    missing = node_missing()
    if missing is not None:
        console.print(f"[yellow]bench.peer skipped[/]: {missing}")
        return
    install_peer()
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        out = asyncio.run(measure(args, Path(tmp)))
    figures = figures_of(out)
    notes = (
        "hub = `hub serve` (workers_1: --workers 1; workers_default: one per core, "
        f"{os.cpu_count()} here) over HTTP; library = @neo4j/graphql 7.6.3 + Apollo Server "
        "5.5.1 + neo4j-driver 6.3.0 (bench/peer/package-lock.json) on Node "
        f"{_node_version()}"
        "; same Neo4j, same seeded customers, equivalent queries (bench/README.md); "
        "sequential: one connection a side, each id once a side A-B-B-A; concurrent: "
        f"{args.clients} clients x {args.requests} requests a round, rounds A-B-B-A; db hits: "
        "PROFILE of each side's statements for one customer (hub: the 360 read, its audit "
        "write apart)"
    )
    write_results("peer", figures, "neo4j", int(out["seed"]["rows"]), notes)
    payload = json.loads((ROOT / "bench" / "results" / "peer.json").read_text())
    payload |= {"detail": out, "settings": vars(args), "environment": environment(),
                "queries": {"hub": HUB_360, "library": PEER_360}}  # fmt: skip
    (ROOT / "bench" / "results" / "peer.json").write_text(
        json.dumps(payload, indent=2, sort_keys=True) + "\n"
    )
    for name, value in figures.items():
        console.print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
