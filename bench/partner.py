"""Partner list matching (issue 19): hashes per second to upload and to match a large
list (1M entries by default), and the memory it takes, against a baseline measured in the
same run.

The graph is seeded (`loaders.seed`, ``--customers``). The list holds the email keys of
``--matched-share`` of the customers, the rest hashes of no one, in a fixed order. It is
uploaded as one streamed body, in pieces of 64 KiB, through resolvers/partner_lists.py
(`append_stream`, what `POST /partner/lists` runs: a chunk written every 10,000 lines),
then matched through the partner API (`listMatch`, in process: `schema.execute` with a
partner principal; consent, ledger and all).

Baseline: the same hashes looked up by a plain statement, 10,000 a time (`UNWIND $hashes
AS h MATCH (c:Customer {email_hash: h}) RETURN count(c)`): the index lookups alone, no
list, no consent, no ledger. Memory: the peak of Python allocations (tracemalloc) while
uploading and while matching, and the engine's resident set (embedded: VmHWM of its
process; Neo4j's JVM heap is sized by scripts/neo4j-dev and not reported).

Each engine named in ``--engines`` is measured in turn on a fresh graph. Figures
(`bench/results/partner.json`), per engine under ``engines`` and flat in ``figures`` as
``<engine>_<figure>``: `upload_hashes_per_s`, `match_hashes_per_s`,
`baseline_lookups_per_s`, `match_over_baseline`, `match_s`, `upload_s`,
`upload_peak_python_mb`, `match_peak_python_mb`, `engine_peak_rss_mb` (embedded).

    python -m bench.partner [--entries 1000000] [--customers 5000] [--engines embedded,neo4j]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.common import RESULTS, engine_at, peak_rss_mb
from graph.store import GraphStore
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers import partner_lists as pl
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema

console = Console(stderr=True, highlight=False, soft_wrap=True)
PIECE_BYTES = 65_536  # what a server typically hands on of a streamed body at a time
BASELINE_BATCH = 10_000
BASELINE = "UNWIND $hashes AS h MATCH (c:Customer {email_hash: h}) RETURN count(c) AS n"
EMAIL_KEYS = "MATCH (c:Customer) WHERE c.email_hash IS NOT NULL RETURN c.email_hash AS h"
LARGEST = """MATCH (:Customer)-[r:CONSENTED]->(b:Brand)
WHERE 'partner_sharing' IN r.purposes RETURN b.id AS brand, count(*) AS n
ORDER BY n DESC, brand LIMIT 1"""
# The published operation, as a partner sends it (the guard refuses any other document).
MATCH = (
    Path(__file__).resolve().parents[1] / "schema/persisted/PartnerListMatch.graphql"
).read_text()


def build_list(keys: list[str], entries: int, share: float) -> list[str]:
    """``entries`` hashes: ``share`` of ``keys`` (all of them at most), then no one's."""
    matched = keys[: min(len(keys), int(len(keys) * share))]
    nobody = (
        hashlib.sha256(f"bench-nobody-{i}".encode()).hexdigest()
        for i in range(entries - len(matched))
    )
    return [*matched, *nobody]


async def pieces(hashes: list[str]) -> AsyncIterator[bytes]:
    """The list as one upload arriving in PIECE_BYTES pieces (lines cut anywhere), made as
    they are asked for, as a request body streams in."""
    pending = bytearray()
    for h in hashes:
        pending += h.encode() + b"\n"
        if len(pending) >= PIECE_BYTES:
            yield bytes(pending[:PIECE_BYTES])
            del pending[:PIECE_BYTES]
    if pending:
        yield bytes(pending)


async def measure(store: GraphStore, address: str, entries: int, customers: int, share: float):
    started = time.perf_counter()
    await seed(store, SyntheticConfig(customers=customers, brands=10, seed=19))
    console.print(f"seeded {customers:,} customers in {time.perf_counter() - started:.1f} s")
    keys = [r["h"] for r in await store.read(EMAIL_KEYS)]
    [largest] = await store.read(LARGEST)
    partner = str(largest["brand"])
    hashes = build_list(keys, entries, share)

    tracemalloc.start()
    started = time.perf_counter()
    status = await pl.create_list(store, partner, 86_400_000)
    await pl.append_stream(store, partner, status.id, pieces(hashes), 2**40)
    upload_s = time.perf_counter() - started
    upload_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()

    principal = Principal("bench", Role.PARTNER, partner, frozenset({"partner_sharing"}))
    ctx = Context(store, principal)
    started = time.perf_counter()
    result = await build_schema().execute(
        MATCH, {"purpose": "PARTNER_SHARING", "listId": status.id}, context_value=ctx
    )
    match_s = time.perf_counter() - started
    match_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert result.errors is None, result.errors
    answer = result.data["partner"]["listMatch"]  # type: ignore[index]

    started = time.perf_counter()
    found = 0
    for i in range(0, len(hashes), BASELINE_BATCH):
        rows = await store.read(BASELINE, {"hashes": hashes[i : i + BASELINE_BATCH]})
        found += int(rows[0]["n"])
    baseline_s = time.perf_counter() - started
    figures = {
        "upload_s": round(upload_s, 2),
        "upload_hashes_per_s": round(len(hashes) / upload_s),
        "match_s": round(match_s, 2),
        "match_hashes_per_s": round(len(hashes) / match_s),
        "baseline_lookups_per_s": round(len(hashes) / baseline_s),
        "match_over_baseline": round(baseline_s / match_s, 3),
        "upload_peak_python_mb": round(upload_peak, 1),
        "match_peak_python_mb": round(match_peak, 1),
    }
    rss = peak_rss_mb((address,))  # the embedded engine serving that socket
    if rss is not None:
        figures["engine_peak_rss_mb"] = round(rss, 1)
    return figures, answer, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--matched-share", type=float, default=0.5)
    parser.add_argument("--engines", default="embedded,neo4j", help="comma-separated")
    parser.add_argument("--name", default="partner")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - {"embedded", "neo4j"}
    if unknown or not engines:
        parser.error(f"--engines takes embedded and/or neo4j, not {sorted(unknown)}")

    async def run(name: str):
        async with engine_at(name) as opened:
            return await measure(
                opened.store, opened.address, args.entries, args.customers, args.matched_share
            )

    by_engine: dict[str, dict[str, float]] = {}
    for name in engines:
        figures, answer, found = asyncio.run(run(name))
        by_engine[name] = figures
        console.print(f"{name} listMatch: {answer}; baseline found {found:,} customers")
    table = Table("figure", *engines, title=f"partner list of {args.entries:,}")
    for figure in sorted({f for figures in by_engine.values() for f in figures}):
        table.add_row(figure, *(f"{by_engine[e].get(figure, float('nan')):,}" for e in engines))
    console.print(table)
    payload = {
        "figures": {f"{e}_{k}": v for e, figures in by_engine.items() for k, v in figures.items()},
        "engines": by_engine,
        "engine": ",".join(engines),
        "rows": args.entries,
        "notes": f"{args.customers:,} seeded customers, {args.matched_share:.0%} of their email "
        "keys in the list, the rest no one's, uploaded as one body streamed in 64 KiB pieces; "
        "baseline: plain indexed lookups, 10,000 a statement; each engine on a fresh graph, "
        "one after the other on the same machine",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
