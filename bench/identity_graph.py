"""Identity resolution as the hub runs it in the graph: the benchmark set loaded into an
engine (`hub load`'s validation and exact linking), then `hub resolve` (the match model,
protections, the per-platform limit), links read back from the graph and scored against
the truth. Also: a second run (nothing new: nothing written), and resolution after a load
of new accounts with the stored model, against a full run.

    .venv/bin/python -m bench.identity_graph [--engine embedded|neo4j]
        [--customers 20000 --accounts 25000 --seed 13]

Precision and recall are of account-customer links (a link to any CRM record of the
account's person is right), for the links of each method and for all; recall counts the
accounts whose person is in the CRM.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bench.common import engine, write_results
from graph.store import GraphStore, WriteCounters
from loaders.pipeline import write_records
from loaders.resolution import ResolveOptions, resolve
from loaders.synthetic_identity import IdentityBenchConfig, generate

T0 = 1_700_000_000_000
BATCH = 2000
HELD_BACK = 500  # accounts loaded after the fit, to resolve incrementally


async def _load(store: GraphStore, kind: str, rows: list[dict[str, Any]], now: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        await write_records(store, kind, rows[start : start + BATCH], now)
    return time.perf_counter() - started


def _score(links: list[dict[str, Any]], person: dict[tuple[str, str], str], owned: int
           ) -> dict[str, float]:  # fmt: skip
    right = sum(
        person["customer", r["customer"]] == person["social_account", r["account"]] for r in links
    )
    precision = right / len(links) if links else 0.0
    recall = right / owned if owned else 0.0
    f1 = 2 * precision * recall / (precision + recall) if right else 0.0
    return {"links": len(links), "precision": precision, "recall": recall, "f1": f1}


async def run(engine_name: str, config: IdentityBenchConfig) -> dict[str, float]:
    data = generate(config)
    person = {(t["kind"], t["id"]): t["person_id"] for t in data.truth}
    in_crm = {person["customer", c["id"]] for c in data.customers}
    owned = sum(person["social_account", a["id"]] in in_crm for a in data.accounts)
    early, late = data.accounts[:-HELD_BACK], data.accounts[-HELD_BACK:]
    figures: dict[str, float] = {}
    async with engine(engine_name) as (store, _):
        figures["load_customers_s"] = await _load(store, "customers", data.customers, T0)
        figures["load_accounts_s"] = await _load(store, "social_accounts", early, T0)
        started = time.perf_counter()
        report = await resolve(store, ResolveOptions(), T0)
        figures["resolve_s"] = time.perf_counter() - started
        started = time.perf_counter()
        again = await resolve(store, ResolveOptions(), T0 + 1)
        figures["rerun_s"] = time.perf_counter() - started
        figures["rerun_writes"] = float(again.counters != WriteCounters())
        await _load(store, "social_accounts", late, T0 + 2)
        started = time.perf_counter()
        incremental = await resolve(
            store, ResolveOptions(), T0 + 2, account_ids=[a["id"] for a in late]
        )
        figures["incremental_s"] = time.perf_counter() - started
        figures["incremental_accounts"] = incremental.accounts
        rows = await store.read(
            "MATCH (c:Customer)-[h:HAS_ACCOUNT]->(a:SocialAccount) "
            "RETURN c.id AS customer, a.id AS account, h.method AS method"
        )
        queued = await store.read("MATCH ()-[q:LINK_CANDIDATE]->() RETURN count(q) AS n")
    by_method = Counter(r["method"] for r in rows)
    print(f"identity resolution in the graph ({engine_name}), {config.customers:,} customers "
          f"x {config.accounts:,} accounts (seed {config.seed})")  # fmt: skip
    print(f"{'links':<16} {'n':>6} {'P':>6} {'R':>6} {'F1':>6}")
    groups = {"all": rows, **{m: [r for r in rows if r["method"] == m] for m in sorted(by_method)}}
    for name, group in groups.items():
        s = _score(group, person, owned)
        print(f"{name:<16} {s['links']:>6.0f} {s['precision']:>6.3f} {s['recall']:>6.3f} "
              f"{s['f1']:>6.3f}")  # fmt: skip
        figures.update({f"{name}_{k}": v for k, v in s.items()})
    figures["queued"] = queued[0]["n"]
    figures["blocked"] = report.blocked
    figures["accounts_per_s"] = report.accounts / figures["resolve_s"]
    print(f"review queue {figures['queued']:,.0f} (blocked by a rule {report.blocked:,}); "
          f"resolve {figures['resolve_s']:.1f}s ({figures['accounts_per_s']:,.0f} accounts/s), "
          f"re-run {figures['rerun_s']:.1f}s writing {_what(figures['rerun_writes'])}, "
          f"after a load of {HELD_BACK} accounts {figures['incremental_s']:.1f}s "
          f"({incremental.accounts} accounts read)")  # fmt: skip
    return figures


def _what(wrote: float) -> str:
    return "something" if wrote else "nothing"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    config = IdentityBenchConfig(args.customers, args.accounts, seed=args.seed)
    figures = asyncio.run(run(args.engine, config))
    write_results("identity_graph", figures, args.engine, args.accounts,
                  "hub load + hub resolve on the identity benchmark set; links read back "
                  "from the graph and scored against the truth")  # fmt: skip


if __name__ == "__main__":
    main()
