"""Communities and account PageRank at scale: in the engine against in the hub (networkx).

    python -m bench.network --customers 100000 --engines embedded,neo4j
    python -m bench.network --customers 1000000 --engines neo4j --bulk-seed [--paths auto]

For each engine the graph is seeded once with `hub seed --fast` (loaders/fast_seed.py)
into a data directory kept under `.bench/` (a rerun at the same size reuses it; Neo4j
from HUB_TEST_NEO4J_URI is used as it is when set, seeded if empty). Each measurement
then runs in a fresh process that attaches to the engine, so its peak memory is its own:

- `<engine>_<algorithm>_<path>_s`: wall seconds of one call of the resolver
  (`accountRank`'s or `communities`' work), with `path` = `hub` (HUB_NETWORK_ALGORITHMS=hub)
  or `auto` (the engine's procedures where it has them; the figure's `algorithm` says
  which ran);
- `..._hub_rss_mb`: the hub process's peak resident set, its worker process included
  (ru_maxrss of itself and its children);
- `..._engine_rss_mb`: the engine's peak resident set so far (VmHWM of the redis-server or
  the JVM), read after the call: measurements run hub path first, so a rise on the
  `auto` line is the engine path's own.

``--paths auto`` leaves the hub path out (at 1M customers networkx would need an hour or
more for communities). Results: bench/results/network.json. Timings on a shared machine
are mostly queueing: compare the two paths of one run, and read the load average saved
with them.
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from typing import Any

from rich.console import Console

from bench.common import (
    BULK_JAVA_OPTS,
    BULK_PAGECACHE_MB,
    RESULTS,
    ROOT,
    bulk_tables,
    peak_rss_mb,
    save_payload,
    stop_process,
)
from graph.migrations import migrate
from graph.neo4j_import import holds_database, run_import
from graph.store import open_store
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig
from resolvers import network as net
from resolvers.compute import Compute
from resolvers.context import Context
from resolvers.network_algorithms import account_ranking
from resolvers.principal import Principal, Role

console = Console()
BENCH_DIR = ROOT / ".bench"
ALGORITHMS = ("pagerank", "louvain")
PATHS: tuple[str, ...] = ("hub", "auto")


def listening_pid(url: str) -> str | None:
    """The pid of the process listening on the port of ``url`` (bolt://host:port)."""
    port = url.rsplit(":", 1)[-1]
    ss = shutil.which("ss") or "/usr/bin/ss"
    listing = subprocess.run([ss, "-ltnpH"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        if f":{port} " in line and "pid=" in line:
            return line.split("pid=")[1].split(",")[0]
    return None


async def measure(url: str, algorithm: str, path: str) -> dict[str, Any]:
    """One call of the algorithm's resolver on ``path``, timed, in this process."""
    async with open_store(url, query_timeout_s=3600) as store:
        context = Context(
            store,
            Principal("bench", Role.ADMIN),
            compute=Compute(timeout_s=3600, keep_workers=False),
            network_algorithms=path,
        )
        started = time.perf_counter()
        if algorithm == "pagerank":
            ranking = await account_ranking(context, net.MAX_RANKED)
            name, items, truncated = ranking.algorithm, len(ranking.accounts), ranking.truncated
        else:
            found, truncated, name = await net.communities(context, 42, 2)
            items = len(found)
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": round(seconds, 2),
        "algorithm": name,
        "items": items,
        "truncated": truncated,
        "hub_rss_mb": round(max(own, workers) / 1024, 1),
    }


async def seeded(url: str, customers: int) -> int:
    """Seed ``customers`` into the graph at ``url`` unless it already holds them."""
    async with open_store(url, query_timeout_s=3600) as store:
        await migrate(store)
        rows = await store.read("MATCH (c:Customer) RETURN count(c) AS n")
        have = int(rows[0]["n"])
        if have < customers:
            started = time.perf_counter()
            report = await seed_fast(store, SyntheticConfig(customers=customers, seed=42))
            console.print(
                f"seeded {customers:,} customers ({report.tally.read:,} rows) "
                f"in {time.perf_counter() - started:.0f} s"
            )
            await store.compact()
        rows = await store.read(
            "MATCH (:SocialAccount)-[r:FOLLOWS]->(:SocialAccount) RETURN count(r) AS n"
        )
        return int(rows[0]["n"])


def run_measure(url: str, algorithm: str, path: str, needles: tuple[str, ...]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.network", "--measure", algorithm, path, "--url", url],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["engine_rss_mb"] = round(peak_rss_mb(needles) or 0.0, 1)
    return result


def neo4j_url(customers: int, bulk: bool = False) -> tuple[str, subprocess.Popen[str] | None]:
    """Neo4j holding the graph of ``customers`` (kept in .bench/neo4j-N between runs); with
    ``bulk``, a new directory is first filled by the offline importer (hub seed --bulk-neo4j)."""
    configured = os.environ.get("HUB_TEST_NEO4J_URI")
    if configured:
        return configured, None
    data = BENCH_DIR / f"neo4j-{customers}"
    if bulk and not holds_database(data):
        started = time.perf_counter()
        tables, rows = bulk_tables(SyntheticConfig(customers=customers, seed=42))
        run_import(tables, data, BULK_JAVA_OPTS.split())
        console.print(f"imported {rows:,} rows in {time.perf_counter() - started:.0f} s")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "neo4j-dev"), "--data", str(data),
         "--pagecache-mb", str(BULK_PAGECACHE_MB if bulk else 256)],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "NEO4J_DEV_JAVA_OPTS": os.environ.get("NEO4J_DEV_JAVA_OPTS", "-Xmx4g")},
    )  # fmt: skip
    assert process.stdout is not None
    return process.stdout.readline().strip(), process


def main(
    customers: int,
    engines: list[str],
    algorithms: list[str],
    bulk: bool = False,
    paths: tuple[str, ...] = PATHS,
) -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    figures: dict[str, float] = {}
    details: dict[str, Any] = {}
    for engine in engines:
        process = None
        if engine == "embedded":
            directory = BENCH_DIR / f"embedded-{customers}"
            url, needles = f"embedded://{directory}", (str(directory), "redis-server")
            keeper = _keep_engine(url)  # holds the engine up between measurements
        else:
            url, process = neo4j_url(customers, bulk)
            needles, keeper = (f"pid={listening_pid(url)}",), None
        try:
            follows = asyncio.run(seeded(url, customers))
            details[f"{engine}_account_follows"] = follows
            # The engine's high-water mark before any algorithm ran (seeding sets it).
            details[f"{engine}_engine_rss_before_mb"] = round(peak_rss_mb(needles) or 0.0, 1)
            for algorithm in algorithms:
                for path in paths:
                    result = run_measure(url, algorithm, path, needles)
                    details[f"{engine}_{algorithm}_{path}"] = result
                    console.print(engine, algorithm, path, result)
                    prefix = f"{engine}_{algorithm}_{path}"
                    for name in ("seconds", "hub_rss_mb", "engine_rss_mb"):
                        if name in result:
                            figures[f"{prefix}_{name.replace('seconds', 's')}"] = result[name]
        finally:
            if keeper is not None:
                stop_process(keeper)
            if process is not None:
                stop_process(process)
    load = os.getloadavg()
    note = (
        f"{','.join(engines)} at {customers:,} customers "
        f"({'hub seed --bulk-neo4j' if bulk else 'hub seed --fast'}): load average "
        f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} on {os.cpu_count()} cores"
    )
    # Engines and sizes may be run apart (`--engines neo4j`): their figures are merged.
    out = RESULTS / "network.json"
    payload = json.loads(out.read_text()) if out.exists() else {}
    size = f"{customers // 1000}k"
    save_payload(
        "network",
        {
            "figures": {**payload.get("figures", {}),
                        **{f"{size}_{k}": v for k, v in figures.items()}},
            "engine": ",".join(sorted({*payload.get("engine", "").split(","), *engines} - {""})),
            "rows": max(customers, int(payload.get("rows", 0))),
            "details": {**payload.get("details", {}),
                        **{f"{size}_{k}": v for k, v in details.items()}},
            "notes": "; ".join([*payload.get("notes", "").split("; "), note][-6:]).strip("; "),
        },
    )  # fmt: skip


def _keep_engine(url: str) -> subprocess.Popen[str]:
    """A process that opens the embedded engine and holds it until stopped, so that the
    measuring processes attach to one engine (whose peak memory is then read)."""
    code = (
        "import asyncio, sys\n"
        "from graph.store import open_store\n"
        "async def hold():\n"
        f"    async with open_store({url!r}, query_timeout_s=3600):\n"
        "        print('up', flush=True)\n"
        "        await asyncio.Event().wait()\n"
        "asyncio.run(hold())\n"
    )
    keeper = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert keeper.stdout is not None
    keeper.stdout.readline()
    return keeper


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--engines", default="embedded,neo4j")
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS))
    parser.add_argument("--paths", default=",".join(PATHS), help="hub,auto (both) or one")
    parser.add_argument("--measure", nargs=2, metavar=("ALGORITHM", "PATH"))
    parser.add_argument("--url")
    parser.add_argument(
        "--bulk-seed",
        action="store_true",
        help="fill a new Neo4j directory with the offline importer (hub seed --bulk-neo4j)",
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.url, *args.measure))))
    else:
        if args.bulk_seed and "embedded" in args.engines.split(","):
            parser.error("--bulk-seed imports into Neo4j only: add --engines neo4j")
        paths = tuple(args.paths.split(","))
        if not set(paths) <= set(PATHS) or not paths:
            parser.error(f"--paths takes {','.join(PATHS)} or one of them")
        main(args.customers, args.engines.split(","), args.algorithms.split(","), args.bulk_seed,
             paths)  # fmt: skip
