"""Crash recovery of the embedded engine: what a kill -9 costs.

Two parts, each on a fresh data directory:

- **under load**: `hub serve` with a seeded graph, 8 clients sending customer-360
  requests; the engine is killed with SIGKILL three times. Figures: requests failed per
  kill, and seconds from the kill to the first request that succeeds again (every
  failure must be a 503 GRAPH_UNAVAILABLE; anything else is reported as `other_errors`).
- **restart after a large seed**: `--customers` (default 100,000) seeded through the hub's
  own seeder, then the engine is killed and the time until it answers again is measured
  twice: with the write log as the seed left it (a replay), and after `compact()` (the
  RDB base `hub seed` and `hub load` write). The ratio is the point of compacting.

    .venv/bin/python -m bench.crash                      # both parts, 100k customers
    .venv/bin/python -m bench.crash --customers 20000    # a quicker look
    .venv/bin/python -m bench.crash --skip-restart       # only the part under load
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import write_results
from graph.embedded import AOF_DIR, EngineRecord
from graph.migrations import migrate
from graph.store import EngineHealth, GraphStore, open_store
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig

HUB = str(Path(sys.executable).with_name("hub"))
QUERY = """query($id: ID!) { customer(id: $id) { name
  purchases(first: 10) { totalCount nodes { at total brand { name } } } } }"""


def _describe(response: httpx.Response | None) -> str:
    """'transport', or the status and the first error's code of a failed answer."""
    if response is None:
        return "transport"
    try:
        errors = response.json().get("errors") or [{}]
        first = errors[0]
        code = (first.get("extensions") or {}).get("code") or f"no code: {first.get('message')}"
    except ValueError:
        code = "not JSON"
    return f"{response.status_code} {code}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class KillOutcome:
    failed: int = 0
    other_errors: int = 0
    recovery_s: float | None = None


@dataclass
class LoadRun:
    sent: int = 0
    others: Counter[str] = field(default_factory=Counter)  # failures other than a 503
    kills: list[KillOutcome] = field(default_factory=list)


async def _load(url: str, key: str, customers: int, kills: int, clients: int) -> LoadRun:
    run = LoadRun()
    stop = asyncio.Event()
    killed_at: list[float] = []
    data_dir_record: dict[str, Path] = {}

    async def client(n: int) -> None:
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            i = n
            while not stop.is_set():
                i += clients
                started = time.monotonic()
                variables = {"id": f"c{1 + i % customers:07d}"}
                try:
                    response = await http.post(
                        "/graphql", json={"query": QUERY, "variables": variables}
                    )
                    ok = response.status_code == 200 and "errors" not in response.json()
                    unavailable = response.status_code == 503 and (
                        response.json()["errors"][0]["extensions"]["code"] == "GRAPH_UNAVAILABLE"
                    )
                except httpx.HTTPError:
                    ok, unavailable = False, False
                    response = None
                run.sent += 1
                if not ok and not unavailable:
                    run.others[_describe(response)] += 1
                if not killed_at:
                    continue
                outcome = run.kills[-1]
                if ok:
                    if outcome.recovery_s is None and started >= killed_at[-1]:
                        outcome.recovery_s = time.monotonic() - killed_at[-1]
                else:
                    outcome.failed += 1
                    outcome.other_errors += 0 if unavailable else 1

    async def killer() -> None:
        for _ in range(kills):
            await asyncio.sleep(3.0)
            record = EngineRecord.read(data_dir_record["dir"] / "engine.json")
            assert record is not None
            run.kills.append(KillOutcome())
            killed_at.append(time.monotonic())
            os.kill(record.engine_pid, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while run.kills[-1].recovery_s is None and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        stop.set()

    data_dir_record["dir"] = Path(os.environ["HUB_GRAPH_URL"].removeprefix("embedded://"))
    await asyncio.gather(killer(), *(client(n) for n in range(clients)))
    return run


def under_load(customers: int, kills: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "graph"
        port = _free_port()
        env = {
            **os.environ, "HUB_GRAPH_URL": f"embedded://{data_dir}", "HUB_PORT": str(port),
            "HUB_RATE_LIMIT_PER_MINUTE": "1000000", "HUB_RATE_LIMIT_BURST": "100000",
            "HUB_LOG_LEVEL": "warning",
        }  # fmt: skip
        subprocess.run([HUB, "seed", "--customers", str(customers), "-q"], env=env, check=True)
        server = subprocess.Popen([HUB, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            key = subprocess.run(
                [HUB, "keys", "create", "--name", "bench", "--role", "app"],
                env=env, check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip
            os.environ["HUB_GRAPH_URL"] = env["HUB_GRAPH_URL"]
            run = asyncio.run(_load(url, key, customers, kills, clients))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    recoveries = [k.recovery_s for k in run.kills if k.recovery_s is not None]
    return {
        "load_requests_sent": run.sent,
        "load_kills": len(run.kills),
        "load_failed_per_kill_mean": sum(k.failed for k in run.kills) / max(1, len(run.kills)),
        "load_failed_per_kill_max": max((k.failed for k in run.kills), default=0),
        "load_other_errors": sum(k.other_errors for k in run.kills),
        "load_recovery_s_mean": sum(recoveries) / len(recoveries) if recoveries else -1.0,
        "load_recovery_s_max": max(recoveries) if recoveries else -1.0,
        "load_not_recovered": len(run.kills) - len(recoveries),
        "load_other_error_kinds": ", ".join(f"{n} x {k}" for k, n in run.others.items()) or "none",
    }


async def _kill_and_time(store: GraphStore, data_dir: Path) -> float:
    record = EngineRecord.read(data_dir / "engine.json")
    assert record is not None
    killed = time.monotonic()
    os.kill(record.engine_pid, signal.SIGKILL)
    while store.health() is EngineHealth.UP:  # noqa: ASYNC110 - polled state
        await asyncio.sleep(0.01)
    while True:
        if store.health() is EngineHealth.UP:
            try:
                await store.ping()
                return time.monotonic() - killed
            except Exception:  # noqa: S110 - still coming back
                pass
        await asyncio.sleep(0.01)


def _log_bytes(data_dir: Path) -> tuple[int, int]:
    files = list((data_dir / AOF_DIR).iterdir())
    base = sum(f.stat().st_size for f in files if ".base." in f.name)
    incr = sum(f.stat().st_size for f in files if ".incr." in f.name)
    return base, incr


async def _restart(customers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "graph"
        async with open_store(f"embedded://{data_dir}") as store:
            await migrate(store)
            started = time.perf_counter()
            report = await seed(store, SyntheticConfig(customers=customers, brands=20, seed=42))
            seed_s = time.perf_counter() - started
            base, incr = _log_bytes(data_dir)
            replay_s = await _kill_and_time(store, data_dir)
            started = time.perf_counter()
            await store.compact()
            compact_s = time.perf_counter() - started
            base_after, incr_after = _log_bytes(data_dir)
            snapshot_s = await _kill_and_time(store, data_dir)
            counted = await store.read("MATCH (c:Customer) RETURN count(c) AS n")
        assert counted == [{"n": customers}], counted
    return {
        "restart_customers": customers,
        "restart_rows_seeded": report.total_rows,
        "restart_seed_s": seed_s,
        "restart_replay_s": replay_s,
        "restart_compact_s": compact_s,
        "restart_after_compact_s": snapshot_s,
        "restart_replay_over_compacted": replay_s / snapshot_s,
        "restart_log_mb_before_compact": (base + incr) / 1e6,
        "restart_log_mb_after_compact": (base_after + incr_after) / 1e6,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--load-customers", type=int, default=2_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--skip-restart", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    if not args.skip_load:
        figures |= under_load(args.load_customers, args.kills, args.clients)
    if not args.skip_restart:
        figures |= asyncio.run(_restart(args.customers))
    other_kinds = figures.pop("load_other_error_kinds", "not measured")
    width = max(map(len, figures))
    for name, value in figures.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"{name:<{width}}  {shown:>12}")
    print(f"failures other than 503 GRAPH_UNAVAILABLE: {other_kinds}")
    write_results(
        "crash",
        figures,
        engine="embedded",
        rows=args.customers,
        notes="kill -9 of the embedded engine: requests failed and seconds to recovery under "
        f"{args.clients} clients; restart after a {args.customers:,}-customer seed, replaying "
        f"the log vs after compact(). Failures other than a 503: {other_kinds}",
    )


if __name__ == "__main__":
    main()
