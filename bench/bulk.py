"""`hub seed --bulk-neo4j` (tables + Neo4j's offline importer) against `hub seed --fast`
into an empty Neo4j: from the generator to a graph the hub can query, same data.

The fast side: a new Neo4j (scripts/neo4j-dev), migrated, seeded by ``seed_fast``. The bulk
side (bench.common.bulk_engine_at): the tables written anew (loaders/bulk_seed.py, into
.bench/tables: they are timed), imported into a new directory, the server started on it,
migrated, indexes awaited.
Both sides are timed from the first generated row to a queryable graph; the figure is rows/s
of each and their ratio, with the bulk side's phases. Both graphs are counted (nodes and
relationships) and must agree.

    python -m bench.bulk [--customers 10000]

Figures go to bench/results/bulk.json (bulk_<customers>.json for other sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from bench.common import bulk_engine_at, engine, write_results
from bench.ingest import environment
from bench.seed import census
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig


async def _fast(config: SyntheticConfig) -> tuple[float, int, dict[str, int]]:
    async with engine("neo4j") as (store, _):
        started = time.perf_counter()
        report = await seed_fast(store, config)
        seconds = time.perf_counter() - started
        return seconds, report.total_rows, await census(store)


async def _bulk(config: SyntheticConfig) -> tuple[dict[str, float], dict[str, int]]:
    async with bulk_engine_at("neo4j", config, cached=False) as opened:
        phases = {**opened.figures, "total_s": opened.figures["seed_s"]}
        return phases, await census(opened.store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    args = parser.parse_args()
    config = SyntheticConfig(customers=args.customers)
    env = environment()
    fast_s, rows, fast_graph = asyncio.run(_fast(config))
    phases, bulk_graph = asyncio.run(_bulk(config))
    if bulk_graph != fast_graph:
        raise SystemExit(f"the two graphs differ: fast {fast_graph}, bulk {bulk_graph}")
    figures: dict[str, Any] = {
        "fast_s": fast_s,
        "fast_rows_per_s": rows / fast_s,
        **{f"bulk_{k}": v for k, v in phases.items()},
        "bulk_rows_per_s": rows / phases["total_s"],
        "bulk_over_fast_rows_per_s": fast_s / phases["total_s"],
    }
    for name, value in figures.items():
        print(f"{name:<28}{value:>14,.2f}")
    suffix = "" if args.customers == 10_000 else f"_{args.customers}"
    write_results(f"bulk{suffix}", figures, "neo4j", rows,
                  "generator to queryable graph, one run each (fast then bulk); load average "
                  f"at the end {os.getloadavg()}; environment: {env}")  # fmt: skip


if __name__ == "__main__":
    main()
