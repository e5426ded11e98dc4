"""`/healthz` while the most expensive query each role may send runs (issue 12, item 4).

The embedded engine is seeded (`loaders.seed`, ``--customers``), one API key is made per
role, and the hub runs under uvicorn in its own process, as `hub serve` runs it
(bench/read_server.py). A poller GETs `/healthz` every ``--interval-ms`` on a connection
of its own: first with nothing else running (**idle**), then while each case's query
runs, alone, on another connection. A hub whose event loop is busy answers `/healthz`
late; one that keeps work off the loop answers it as fast as when idle.

Cases: **app**, **analyst**, **admin**: the most expensive query the role may send (the
network fields that compute in the hub, as many as its cost limit allows;
schema/guard.py); **ten_communities**: ten aliased `communities(seed: i)` with an app
key, the query of the issue (refused by the guard now, before anything runs).

Figures (`bench/results/<name>.json`): `<case>_healthz_p50_ms`, `..._p99_ms`,
`..._max_ms`, `<case>_healthz_p99_over_idle` (the ratio to the idle p99 of the same run),
`<case>_query_s` and `<case>_refused` (1 when the guard refused it: LIMIT_EXCEEDED);
`answers` has each case's outcome (`answered`, or the code of its first error).

    python -m bench.healthz [--customers 1000] [--interval-ms 20] [--idle-s 2] [--name healthz]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from bench.common import RESULTS, engine_at, pct
from bench.ingest import environment
from bench.read import hub_server
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role

console = Console(stderr=True, highlight=False, soft_wrap=True)
QUERY_TIMEOUT_S = 300.0

COMMUNITIES = "c{seed}: communities(seed: {seed}) {{ truncated communities {{ totalCount }} }}"


def heavy_fields(brand_a: str, brand_b: str, customer: str, without_consent: bool) -> list[str]:
    """The other fields the hub computes over in its own process, with small selections:
    the cost is in the work, not in the answer."""
    without = ", includeWithoutConsent: true" if without_consent else ""
    return [
        "seg: segmentPreferences(groupBy: SEGMENT) { totalCount }",
        f'prospects: crossSellProspects(from: "{brand_a}", to: "{brand_b}"{without}) '
        "{ totalCount }",
        "influencers { totalCount }",
        f'lookalikes: lookalikeBrands(brand: "{brand_a}") {{ totalCount }}',
        f'audience: brandAudience(brand: "{brand_a}") {{ customers }}',
        "crossSideEffect { totalCount }",
        *(f'n{i}: neighbourhood(node: "{customer}", hops: 3, maxNodes: 200) {{ truncated }}'
          for i in range(1, 4)),
    ]  # fmt: skip


@dataclass
class Case:
    name: str
    role: Role
    communities: int
    heavy: bool
    without_consent: bool = False

    def query(self, brands: Sequence[str], customer: str) -> str:
        parts = [COMMUNITIES.format(seed=s) for s in range(1, self.communities + 1)]
        if self.heavy:
            parts += heavy_fields(brands[0], brands[1], customer, self.without_consent)
        return "query Heavy { " + " ".join(parts) + " }"


CASES = [
    # app and analyst: one communities (half their cost limit) and the other heavy fields;
    # admin: four. Ten aliased communities are over every role's limit.
    Case("app", Role.APP, communities=1, heavy=True),
    Case("analyst", Role.ANALYST, communities=1, heavy=True, without_consent=True),
    Case("admin", Role.ADMIN, communities=4, heavy=True, without_consent=True),
    Case("ten_communities", Role.APP, communities=10, heavy=False),
]


async def poll(client: httpx.AsyncClient, stop: asyncio.Event, interval_s: float) -> list[float]:
    """/healthz latencies (ms), one request at a time, until ``stop`` is set."""
    samples = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/healthz")
        response.raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(interval_s)
    return samples


async def run_case(
    base_url: str, key: str, query: str, interval_s: float
) -> tuple[list[float], float, str | None]:
    """(healthz samples while the query ran, the query's seconds, the code of its first
    error or None)."""
    stop = asyncio.Event()
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=QUERY_TIMEOUT_S) as health,
        httpx.AsyncClient(base_url=base_url, timeout=QUERY_TIMEOUT_S) as client,
    ):
        poller = asyncio.create_task(poll(health, stop, interval_s))
        await asyncio.sleep(interval_s * 5)  # the poller is going before the query starts
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": query}),
            headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        elapsed = time.perf_counter() - started
        stop.set()
        samples = await poller
    errors = orjson.loads(response.content).get("errors") or []
    code = errors[0].get("extensions", {}).get("code", "?") if errors else None
    return samples, elapsed, code


async def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    figures: dict[str, float] = {}
    answers: dict[str, str] = {}
    async with engine_at("embedded") as engine:
        started = time.perf_counter()
        report = await seed(engine.store, SyntheticConfig(customers=args.customers, seed=42))
        figures["seed_s"] = round(time.perf_counter() - started, 1)
        console.print(f"seeded {report.total_rows:,} rows in {figures['seed_s']} s")
        brands = [r["id"] for r in await engine.store.read(
            "MATCH (b:Brand) RETURN b.id AS id ORDER BY id LIMIT 2")]  # fmt: skip
        customer = (await engine.store.read(
            "MATCH (c:Customer)-[:HAS_ACCOUNT]->() RETURN c.id AS id ORDER BY id LIMIT 1"
        ))[0]["id"]  # fmt: skip
        keys = {
            role: (await create_key(engine.store, f"bench-{role}", role)).key
            for role in (Role.APP, Role.ANALYST, Role.ADMIN)
        }
        async with hub_server("embedded", engine.address, work, keys[Role.APP]) as hub:
            base_url = str(hub.client.base_url)
            interval = args.interval_ms / 1000
            async with httpx.AsyncClient(base_url=base_url) as health:
                stop = asyncio.Event()
                poller = asyncio.create_task(poll(health, stop, interval))
                await asyncio.sleep(args.idle_s)
                stop.set()
                idle = await poller
            _put(figures, "idle", idle, idle)
            for case in CASES:
                query = case.query(brands, customer)
                samples, seconds, code = await run_case(base_url, keys[case.role], query, interval)
                _put(figures, case.name, samples, idle)
                figures[f"{case.name}_query_s"] = round(seconds, 2)
                figures[f"{case.name}_refused"] = int(code == "LIMIT_EXCEEDED")
                answers[case.name] = code or "answered"
                console.print(
                    f"{case.name}: {seconds:.1f} s ({code or 'answered'}), "
                    f"/healthz p99 {figures[f'{case.name}_healthz_p99_ms']:.0f} ms "
                    f"over {len(samples)} samples"
                )
    return {"figures": figures, "answers": answers, "rows": report.total_rows}


def _put(figures: dict[str, float], case: str, samples: list[float], idle: list[float]) -> None:
    figures[f"{case}_healthz_p50_ms"] = round(pct(samples, 50), 2)
    figures[f"{case}_healthz_p99_ms"] = round(pct(samples, 99), 2)
    figures[f"{case}_healthz_max_ms"] = round(max(samples), 2)
    figures[f"{case}_healthz_samples"] = len(samples)
    figures[f"{case}_healthz_p99_over_idle"] = round(pct(samples, 99) / pct(idle, 99), 2)


def table(figures: dict[str, float]) -> Table:
    shown = Table(title="/healthz while each role's most expensive query runs (embedded)")
    for column in ("case", "query s", "refused", "p50 ms", "p99 ms", "max ms", "p99 / idle"):
        shown.add_column(column, justify="left" if column == "case" else "right")
    for case in ["idle", *(c.name for c in CASES)]:
        shown.add_row(
            case,
            f"{figures.get(f'{case}_query_s', 0):.1f}" if case != "idle" else "-",
            str(figures.get(f"{case}_refused", "-")),
            *(f"{figures[f'{case}_healthz_{x}']:.1f}" for x in ("p50_ms", "p99_ms", "max_ms")),
            f"{figures[f'{case}_healthz_p99_over_idle']:.1f}",
        )
    return shown


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    parser.add_argument("--idle-s", type=float, default=2.0)
    parser.add_argument("--name", default="healthz", help="results file bench/results/NAME.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-healthz-") as tmp:
        measured = asyncio.run(measure(args, Path(tmp)))
    payload = {
        **measured,
        "engine": "embedded",
        "settings": {"customers": args.customers, "interval_ms": args.interval_ms,
                     "idle_s": args.idle_s},
        "environment": environment(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "queries": {c.name: c.query(["<brand a>", "<brand b>"], "<customer>") for c in CASES},
        "notes": (
            "hub = uvicorn in its own process (bench.read_server, as `hub serve`); /healthz "
            "polled one request at a time on its own connection; idle = with nothing else "
            "running, then each case's query alone on another connection; the ratio is to "
            "the idle p99 of the same run"
        ),
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{args.name}.json"
    out.write_text(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
                   + "\n")  # fmt: skip
    Console(width=120).print(table(measured["figures"]))
    console.print(f"figures in {out} (commit {payload['environment']['git_commit']})")


if __name__ == "__main__":
    main()
