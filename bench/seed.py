"""`hub seed --fast` (loaders/fast_seed.py) against `hub seed` (loaders/seed.py), same graph.

For each engine, on a migrated graph cleaned before every pass, the synthetic dataset of
``--customers`` customers is seeded alternately by ``seed`` and ``seed_fast`` (A-B-B-A with
``--rounds 2``); figures are rows/s of each, their ratio, and whether the two made the
same graph (nodes by label and relationships by type; HAS_ACCOUNT counted apart, since
the fast path links accounts as generated rather than deciding from the evidence).

    python -m bench.seed [--engine neo4j|embedded|both] [--customers 5000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from bench.common import engine, write_results
from bench.ingest import clean, environment
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


async def measure(name: str, customers: int, rounds: int) -> dict[str, Any]:
    config = SyntheticConfig(customers=customers)
    sides: dict[str, list[SeedReport]] = {"seed": [], "fast": []}
    graphs: dict[str, dict[str, int]] = {}
    async with engine(name) as (store, _):
        order = ["seed", "fast", "fast", "seed"] * (rounds // 2) + ["seed", "fast"] * (rounds % 2)
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
            if side == "fast" and again is None:  # again over its own graph: writes nothing
                again = await seed_fast(store, config)
        await clean(store)
        assert again is not None
    rate = {
        side: sum(r.total_rows for r in reports) / sum(r.seconds for r in reports)
        for side, reports in sides.items()
    }
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
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("neo4j", "embedded", "both"), default="both")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    engines = ["neo4j", "embedded"] if args.engine == "both" else [args.engine]
    results = {name: asyncio.run(measure(name, args.customers, args.rounds)) for name in engines}
    figures: dict[str, float] = {}
    for name, r in results.items():
        for key in ("seed_rows_per_s", "fast_rows_per_s", "fast_over_seed", "rerun_written",
                    "rerun_counters"):  # fmt: skip
            figures[f"{name}_{key}"] = round(r[key], 3)
        figures[f"{name}_graph_differences"] = len(r["graph_differences"])
        console.print(f"{name}: {r}", highlight=False)
    write_results(
        "seed",
        figures,
        ",".join(engines),
        max(r["rows"] for r in results.values()),
        f"{args.customers} customers, {args.rounds} passes a side (A-B-B-A); "
        f"differences (seed, fast): { {n: r['graph_differences'] for n, r in results.items()} }; "
        f"environment: {environment()}",
    )


if __name__ == "__main__":
    main()
