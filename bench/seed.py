"""`hub seed --fast` (loaders/fast_seed.py) against `hub seed` (loaders/seed.py), same graph.

For each engine, on a migrated graph cleaned before every pass, the synthetic dataset of
``--customers`` customers is seeded alternately by ``seed`` and ``seed_fast`` (A-B-B-A with
``--rounds 2``); figures are rows/s of each, their ratio, and whether the two made the
same graph (nodes by label and relationships by type; HAS_ACCOUNT counted apart, since
the fast path links accounts as generated rather than deciding from the evidence).

    python -m bench.seed [--engine neo4j|embedded|both] [--customers 5000] [--rounds 2]
                         [--only seed|fast] [--name seed]

``--only fast`` times the fast seed alone (at 100k customers and more, where `hub seed`
takes hours). Peak resident memory: of the benchmark's process (the writer) and of its
largest ended child (the fast seed's generator, or the embedded engine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from bench.common import engine, write_results
from bench.ingest import clean, environment
from graph.falkor_store import FalkorStore
from graph.store import GraphStore
from loaders.fast_seed import seed_fast
from loaders.seed import SeedReport, seed
from loaders.synthetic import SyntheticConfig

console = Console(stderr=True)

# Bench-only census of the graph (labels and types as the engines name them).
NODES = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"
RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"


async def census(store: GraphStore) -> dict[str, int]:
    nodes = {f"node:{r['label']}": int(r["n"]) for r in await store.read(NODES)}
    rels = {f"rel:{r['type']}": int(r["n"]) for r in await store.read(RELATIONSHIPS)}
    return {**nodes, **rels}


async def measure(
    name: str, customers: int, rounds: int, only: str | None = None
) -> dict[str, Any]:
    """Figures for one engine; ``only`` ("seed" or "fast") times that side alone, ``rounds``
    times, with no comparison of graphs and no second run."""
    config = SyntheticConfig(customers=customers)
    sides: dict[str, list[SeedReport]] = {"seed": [], "fast": []}
    graphs: dict[str, dict[str, int]] = {}
    async with engine(name) as (store, _):
        order = ["seed", "fast", "fast", "seed"] * (rounds // 2) + ["seed", "fast"] * (rounds % 2)
        if only is not None:
            order = [only] * rounds
        again = None
        for side in order:
            await clean(store)
            report = await (seed_fast if side == "fast" else seed)(store, config)
            sides[side].append(report)
            graphs[side] = await census(store)
            console.print(
                f"  {name} {side:<5} {report.total_rows:>10,} rows {report.seconds:7.1f}s "
                f"{report.total_rows / report.seconds:>9,.0f} rows/s",
                highlight=False,
            )
            if only is None and side == "fast" and again is None:
                again = await seed_fast(store, config)  # over its own graph: writes nothing
        engine_peak = await _engine_peak_mb(store)
        await clean(store)
    rate = {
        side: sum(r.total_rows for r in reports) / sum(r.seconds for r in reports)
        for side, reports in sides.items()
        if reports
    }
    peaks = {
        "peak_rss_mb_bench": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # the largest child that has ended: the generator, or the embedded engine
        "peak_rss_mb_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        **({"engine_used_memory_peak_mb": engine_peak} if engine_peak is not None else {}),
    }
    seconds = {f"{side}_s": min(r.seconds for r in reports) for side, reports in sides.items()
               if reports}  # fmt: skip
    if only is not None:
        side_rows = sides[only][0].total_rows
        return {"rows": side_rows, f"{only}_rows_per_s": rate[only], **seconds, **peaks}
    assert again is not None
    differ = {
        key: (graphs["seed"].get(key), graphs["fast"].get(key))
        for key in graphs["seed"].keys() | graphs["fast"].keys()
        if graphs["seed"].get(key) != graphs["fast"].get(key)
    }
    return {
        "rows": sides["seed"][0].total_rows,
        "seed_rows_per_s": rate["seed"],
        "fast_rows_per_s": rate["fast"],
        "fast_over_seed": rate["fast"] / rate["seed"],
        "graph_differences": differ,
        "rerun_written": again.tally.written,
        "rerun_counters": sum(vars(again.counters).values()),
        **seconds,
        **peaks,
    }


async def _engine_peak_mb(store: GraphStore) -> float | None:
    """The embedded engine's peak memory (its `INFO memory`), None for Neo4j."""
    if not isinstance(store, FalkorStore):
        return None
    info = await store.execute_command("INFO", "memory")
    return float(info["used_memory_peak"]) / 2**20


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("neo4j", "embedded", "both"), default="both")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--only", choices=("seed", "fast"), help="time one side alone (e.g. fast at 100k)"
    )
    parser.add_argument("--name", default="seed", help="results file: bench/results/NAME.json")
    args = parser.parse_args(argv)
    engines = ["neo4j", "embedded"] if args.engine == "both" else [args.engine]
    env = environment()  # the load average before the run
    results = {
        name: asyncio.run(measure(name, args.customers, args.rounds, args.only)) for name in engines
    }
    figures: dict[str, float] = {}
    for name, r in results.items():
        for key, value in r.items():
            if isinstance(value, int | float) and key != "rows":
                figures[f"{name}_{key}"] = round(value, 3)
        if "graph_differences" in r:
            figures[f"{name}_graph_differences"] = len(r["graph_differences"])
        console.print(f"{name}: {r}", highlight=False)
    sides = f"{args.only} only, {args.rounds} passes" if args.only else (
        f"{args.rounds} passes a side (A-B-B-A); differences (seed, fast): "
        f"{ {n: r['graph_differences'] for n, r in results.items()} }"
    )  # fmt: skip
    write_results(
        args.name,
        figures,
        ",".join(engines),
        max(r["rows"] for r in results.values()),
        f"{args.customers} customers, {sides}; load average at the end: {os.getloadavg()}; "
        f"environment: {env}",
    )


if __name__ == "__main__":
    main()
