"""Shared benchmark plumbing: engines, timing, and the results file format."""

import asyncio
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.bulk import MANIFEST, BulkTables
from graph.embedded import EmbeddedEngine
from graph.falkor_store import FalkorStore
from graph.migrations import migrate
from graph.neo4j_import import dev_server, run_import
from graph.store import GraphStore, open_store
from loaders.bulk_seed import write_tables
from loaders.synthetic import SyntheticConfig

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# Relationships first: a brand can hold 100k of them, too many for one batch.
WIPE_RELATIONSHIPS = "MATCH ()-[r]->() WITH r LIMIT 50000 DELETE r"
WIPE_NODES = "MATCH (n) WITH n LIMIT 50000 DELETE n"


@dataclass
class Engine:
    """A migrated store, where its engine listens, and start-up figures (seconds)."""

    store: GraphStore
    figures: dict[str, float]
    address: str  # Neo4j: the bolt URI; embedded: the engine's unix socket path


@asynccontextmanager
async def engine(name: str) -> AsyncIterator[tuple[GraphStore, dict[str, float]]]:
    """A migrated, empty store on ``name``; Neo4j from HUB_TEST_NEO4J_URI or started here.

    Also yields start-up figures (seconds) measured on the way.
    """
    async with engine_at(name) as opened:
        yield opened.store, opened.figures


@asynccontextmanager
async def engine_at(name: str) -> AsyncIterator[Engine]:
    """Like engine(), with the address a second client (a driver, a server) can use."""
    figures: dict[str, float] = {}
    if name == "embedded":
        with tempfile.TemporaryDirectory() as data_dir:
            started = time.perf_counter()
            with EmbeddedEngine(Path(data_dir)) as embedded:
                falkor = await FalkorStore.connect(embedded.socket_path, timeout_s=30.0)
                try:
                    figures["start_s"] = time.perf_counter() - started
                    await migrate(falkor)
                    yield Engine(falkor, figures, str(embedded.socket_path))
                finally:
                    await falkor.close()
        return
    uri = os.environ.get("HUB_TEST_NEO4J_URI")
    process = None
    if not uri:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "neo4j-dev")], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        uri = process.stdout.readline().strip()
        figures["start_s"] = time.perf_counter() - started
    try:
        async with open_store(uri) as store:
            await wipe(store)
            await migrate(store)
            yield Engine(store, figures, uri)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()


# A 1M-customer graph (~35M nodes and relationships, ~6.5 GB of store) wants a page cache
# that holds it and room for the hub's analytic statements. HUB_BENCH_PAGECACHE_MB sets a
# smaller one, for two such benchmarks side by side in this machine's memory.
BULK_JAVA_OPTS = "-Xmx4g -XX:+UseParallelGC"
BULK_PAGECACHE_MB = int(os.environ.get("HUB_BENCH_PAGECACHE_MB", "6144"))
TABLES_CACHE = ROOT / ".bench" / "tables"


def bulk_tables(
    config: SyntheticConfig,
    on_batch: Callable[[str, int], None] | None = None,
    cached: bool = True,
) -> tuple[BulkTables, int]:
    """``config``'s bulk tables and their row count, from .bench/tables/ when an earlier
    run wrote them (a 1M-customer set takes long to write and is imported by several
    benchmarks), else written there now; written anew when not ``cached`` (to time it)."""
    where = TABLES_CACHE / f"{config.customers}-b{config.brands}-s{config.seed}"
    if cached and (where / MANIFEST).is_file() and (where / "rows").is_file():
        return BulkTables.load(where), int((where / "rows").read_text())
    tables, report = write_tables(config, where, on_batch)
    (where / "rows").write_text(str(report.total_rows))
    return tables, report.total_rows


@asynccontextmanager
async def bulk_engine_at(
    name: str,
    config: SyntheticConfig,
    on_batch: Callable[[str, int], None] | None = None,
    cached: bool = True,
) -> AsyncIterator[Engine]:
    """Like engine_at(), holding ``config``'s dataset, loaded by the engine's own bulk
    importer (`hub seed --bulk-neo4j`, loaders/bulk_seed.py; the tables from bulk_tables);
    the load's figures (seconds: tables, import, start, migrate, and ``seed_s`` their sum;
    ``rows``) in ``figures``; ``cached`` as for bulk_tables. Neo4j is always started
    here, on the imported directory (HUB_TEST_NEO4J_URI is not used)."""
    if name != "neo4j":
        raise ValueError(f"no bulk import for the {name} engine in the benchmarks yet")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        data = Path(tmp) / "neo4j"
        started = time.perf_counter()
        tables, rows = await asyncio.to_thread(bulk_tables, config, on_batch, cached)
        figures["tables_s"] = time.perf_counter() - started
        figures["rows"] = rows
        started = time.perf_counter()
        await asyncio.to_thread(run_import, tables, data, BULK_JAVA_OPTS.split())
        figures["import_s"] = time.perf_counter() - started
        started = time.perf_counter()
        with dev_server(data, BULK_PAGECACHE_MB, BULK_JAVA_OPTS.split()) as uri:
            figures["start_s"] = time.perf_counter() - started
            async with open_store(uri, query_timeout_s=3600) as store:
                started = time.perf_counter()
                await migrate(store)  # constraints and indexes over the imported graph
                await store.read("CALL db.awaitIndexes(3600)")  # built before anything is timed
                figures["migrate_s"] = time.perf_counter() - started
                figures["seed_s"] = sum(v for k, v in figures.items() if k.endswith("_s"))
                yield Engine(store, figures, uri)


async def wipe(store: GraphStore) -> None:
    """Delete every node and relationship; constraints and indexes stay. In batches: one
    transaction for a large graph (left by a stopped 100k run) would exceed Neo4j's
    transaction memory limit."""
    while (await store.write(WIPE_RELATIONSHIPS)).relationships_deleted:
        pass
    while (await store.write(WIPE_NODES)).nodes_deleted:
        pass


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    """Wall-clock milliseconds of ``runs`` sequential awaits of ``call``."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def pct(samples: list[float], q: float) -> float:
    return (
        statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]
        if len(samples) > 1
        else samples[0]
    )


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate ``process``, killing it if it has not ended within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def save_payload(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to bench/results/NAME.json (indented, keys sorted); returns the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return out


def write_results(name: str, figures: dict[str, float], engine: str, rows: int, notes: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"figures": figures, "engine": engine, "rows": rows, "notes": notes}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def peak_rss_mb(needles: tuple[str, ...]) -> float | None:
    """VmHWM of the process whose command line holds all ``needles`` (the engine; or
    ``("pid=N",)``: that process), or None."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if needles[0].startswith("pid="):
                if status.parent.name != needles[0][4:]:
                    continue
            elif not all(n in cmdline for n in needles):
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            continue
    return None


def process_cpu_seconds() -> float:
    """CPU seconds used so far by this process (every thread) and the children it reaped
    (a load's reader process). The engine's: engine_cpu_reader."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


# The Neo4j JVM's CPU time so far (nanoseconds), from its own management bean.
NEO4J_CPU = (
    "CALL dbms.queryJmx('java.lang:type=OperatingSystem') YIELD attributes "
    "RETURN attributes.ProcessCpuTime.value AS ns"
)


async def engine_cpu_reader(store: Any) -> Callable[[], Awaitable[float]]:
    """A function reading the engine process's CPU time so far, in seconds."""
    if store.engine == "neo4j":

        async def jvm() -> float:
            return float((await store.read(NEO4J_CPU))[0]["ns"]) / 1e9

        return jvm
    info = await store.execute_command("INFO", "server")
    stat = Path(f"/proc/{info['process_id']}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    async def process() -> float:
        return _process_cpu(stat, tick)

    return process


def _process_cpu(stat: Path, tick: int) -> float:
    """utime + stime of /proc/PID/stat, in seconds (a read of memory, not of a disk)."""
    # after the command name (which may hold spaces) and its ')'
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick
