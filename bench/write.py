"""A single mutation over HTTP against a read of the same customer (issue 15).

The embedded engine is seeded (`loaders.seed`, ``--customers``), an app key is made, and
the hub runs under uvicorn in its own process, as `hub serve` runs it
(bench/read_server.py). One request at a time on one connection, alternating: a
`tagCustomer` (a new tag each time, with an idempotency key: the write, its audit entry,
outbox event and key in one statement), a `recordContact`, and a read of the same
customer's 360 (profile, tags, contact history), ``--runs`` each.

Figures (`bench/results/<name>.json`): `<case>_p50_ms`, `<case>_p99_ms`, and
`<case>_p50_over_read` (the ratio to the read's p50 of the same run).

    python -m bench.write [--customers 1000] [--runs 200] [--name write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from bench.common import engine_at, pct, save_payload
from bench.ingest import environment
from bench.read import hub_server
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role

console = Console(stderr=True, highlight=False, soft_wrap=True)

TAG = """mutation Tag($c: ID!, $t: ID!, $k: String) {
  tagCustomer(input: {customerId: $c, tagId: $t, weight: 0.5, source: DECLARED},
              idempotencyKey: $k) {
    __typename ... on TagPayload { tagId receipt { eventId } } ... on WriteError { code } } }"""
CONTACT = """mutation Contact($c: ID!, $k: String) {
  recordContact(input: {customerId: $c, kind: CALL, channel: "phone",
                        at: "2024-05-01T09:30:00Z", summary: "bench"}, idempotencyKey: $k) {
    __typename ... on ContactPayload { contact { contactId } } ... on WriteError { code } } }"""
READ = """query Read($c: ID!) { customer(id: $c) { customerId name
  tags { tag { tagId } weight } contactHistory(first: 10) { edges { node { kind at } } } } }"""

# case -> (query, variables for run i)
CASES: dict[str, tuple[str, Callable[[str, int], dict[str, Any]]]] = {
    "tag_mutation": (TAG, lambda c, i: {"c": c, "t": f"t-bench-{i}", "k": f"tag-{i}"}),
    "contact_mutation": (CONTACT, lambda c, i: {"c": c, "k": f"contact-{i}"}),
    "read": (READ, lambda c, i: {"c": c}),
}


async def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    async with engine_at("embedded") as engine:
        report = await seed(engine.store, SyntheticConfig(customers=args.customers, seed=42))
        customer = (await engine.store.read(
            "MATCH (c:Customer) RETURN c.id AS id ORDER BY id LIMIT 1"))[0]["id"]  # fmt: skip
        key = (await create_key(engine.store, "bench-app", Role.APP)).key
        headers = {"content-type": "application/json"}
        async with hub_server("embedded", engine.address, work, key) as hub:
            for i in range(args.warmup + args.runs):
                for name, (query, variables) in CASES.items():
                    body = orjson.dumps({"query": query, "variables": variables(customer, i)})
                    started = time.perf_counter()
                    response = await hub.client.post("/graphql", content=body, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    data = orjson.loads(response.content)
                    if data.get("errors") or "Error" in str(data["data"]):
                        raise SystemExit(f"{name} failed: {data}")
                    if i >= args.warmup:
                        samples[name].append(elapsed)
    figures: dict[str, float] = {}
    read_p50 = pct(samples["read"], 50)
    for name, values in samples.items():
        figures[f"{name}_p50_ms"] = round(pct(values, 50), 2)
        figures[f"{name}_p99_ms"] = round(pct(values, 99), 2)
        figures[f"{name}_p50_over_read"] = round(pct(values, 50) / read_p50, 2)
    return {"figures": figures, "rows": report.total_rows}


def table(figures: dict[str, float]) -> Table:
    shown = Table(title="One request at a time over HTTP (embedded)")
    for column in ("case", "p50 ms", "p99 ms", "p50 / read p50"):
        shown.add_column(column, justify="left" if column == "case" else "right")
    for name in CASES:
        shown.add_row(name, *(f"{figures[f'{name}_{x}']:.2f}"
                              for x in ("p50_ms", "p99_ms", "p50_over_read")))  # fmt: skip
    return shown


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--name", default="write", help="results file bench/results/NAME.json")
    args = parser.parse_args(argv)
    # One key sends every request: the per-key rate limit would throttle the measure
    # itself (the server process inherits these).
    os.environ.setdefault("HUB_RATE_LIMIT_PER_MINUTE", "1000000")
    os.environ.setdefault("HUB_RATE_LIMIT_BURST", "1000000")
    with tempfile.TemporaryDirectory(prefix="bench-write-") as tmp:
        measured = asyncio.run(measure(args, Path(tmp)))
    payload = {
        **measured,
        "engine": "embedded",
        "settings": {"customers": args.customers, "runs": args.runs, "warmup": args.warmup},
        "environment": environment(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notes": (
            "hub = uvicorn in its own process (bench.read_server, as `hub serve`); one "
            "request at a time on one connection, the three cases alternating; each mutation "
            "writes its change, audit entry, outbox event and idempotency key in one "
            "statement; the read is the same customer's 360 (tags, contact history)"
        ),
    }
    out = save_payload(args.name, payload)
    Console(width=120).print(table(measured["figures"]))
    console.print(f"figures in {out} (commit {payload['environment']['git_commit']})")


if __name__ == "__main__":
    main()
