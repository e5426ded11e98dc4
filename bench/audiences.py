"""Rules compiled by the hub against the same rules written by hand, and an incremental
trait refresh against a full one.

On a seeded graph (`loaders.seed`), each of five representative rules is counted
(`RETURN count(e)`) through the statement graph/rules.py compiles and through Cypher
written by hand for the same question; both must give the same count. Each is timed
``--runs`` times, alternating A-B-B-A; the figure is the ratio of medians (compiled /
hand-written; the issue's goal is <= 1.2). Then one trait (online spend, 365 days) is
refreshed for every customer and for 1% of them: the ratio of those medians.

    python -m bench.audiences [--customers 10000] [--engines embedded,neo4j] [--runs 7]
                              [--fast-seed | --bulk-seed] [--rules profile_and_tag,...]

``--bulk-seed`` (Neo4j only) imports the data offline into a new Neo4j (`hub seed
--bulk-neo4j`, the tables kept in .bench/tables/ for the next run): 1M customers in minutes.

Figures go to bench/results/audiences_<engine>.json (10,000 customers) or
audiences_<engine>_<customers>.json.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bench.common import bulk_engine_at, engine, write_results
from bench.ingest import environment
from graph import rules as r
from graph.store import GraphStore
from graph.traits import TraitSpec, refresh_traits, save_trait
from loaders.fast_seed import seed_fast
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig

DAY = r.DAY_MS
NOW = 1_767_225_600_000  # 2026-01-01: after every seeded event

# name -> (rule, hand-written statement over the same parameters' values)
RULES: dict[str, tuple[r.Rule, str]] = {
    "profile_and_tag": (
        r.AllOf((r.Profile("country", "eq", "CN"), r.HasTag("t-running"))),
        "MATCH (e:Customer) WHERE e.restricted_at IS NULL AND e.country = 'CN' "
        "AND (e)-[:TAGGED]->(:Tag {id: 't-running'}) RETURN count(e) AS n",
    ),
    "or_not_identity": (
        r.AnyOf((r.HasIdentity("weibo"), r.NotRule(r.HasIdentity("wechat")))),
        "MATCH (e:Customer) WHERE e.restricted_at IS NULL AND "
        "((e)-[:HAS_ACCOUNT]->(:SocialAccount {platform: 'weibo'}) "
        "OR NOT (e)-[:HAS_ACCOUNT]->(:SocialAccount {platform: 'wechat'})) "
        "RETURN count(e) AS n",
    ),
    "spend_at_least_500": (
        r.MetricIs("spend", "gte", 500.0),
        "MATCH (e:Customer) WHERE e.restricted_at IS NULL "
        "WITH e, reduce(s = 0.0, t IN [(e)-[:MADE]->(p:Purchase) | coalesce(p.total, 0)] "
        "| s + t) AS spend WHERE spend >= 500.0 RETURN count(e) AS n",
    ),
    "live_consent": (
        r.LiveConsent("b0001", "marketing"),
        "MATCH (e:Customer) WHERE e.restricted_at IS NULL "
        "WITH e, size([(e)-[k:CONSENTED]->(:Brand {id: 'b0001'}) WHERE 'marketing' IN "
        "k.purposes AND k.granted_at <= $now AND (k.withdrawn_at IS NULL OR "
        "k.withdrawn_at > $now) | 1]) > 0 AS live WHERE live RETURN count(e) AS n",
    ),
    "trait_and_engaged": (
        r.AllOf(
            (r.TraitIs("online_spend", "gt", 0), r.EngagedWith("b0001", since=NOW - 365 * DAY))
        ),
        "MATCH (e:Customer) WHERE e.restricted_at IS NULL "
        "WITH e, [(e)-[h:HAS_TRAIT]->(:Trait {id: 'online_spend'}) | h.value][0] AS t, "
        "size([(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[f:FOLLOWS]->(:Brand {id: 'b0001'}) "
        "WHERE f.since >= $since | 1]) + size([(e)-[:HAS_ACCOUNT]->(:SocialAccount)"
        "-[i:INTERACTED]->(:Post)<-[:POSTED]-(:Brand {id: 'b0001'}) WHERE i.at >= $since | 1])"
        " + size([(e)-[:MADE]->(p:Purchase)-[:AT]->(:Brand {id: 'b0001'}) "
        "WHERE p.at >= $since | 1]) > 0 AS engaged "
        "WHERE t > 0 AND engaged RETURN count(e) AS n",
    ),
}
TRAIT = TraitSpec("online_spend", "purchases", "sum", "amount", {"channel": "online"}, 365)


async def _ms(store: GraphStore, query: str, params: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = await store.read(query, params)
    return (time.perf_counter() - started) * 1000, int(rows[0]["n"])


async def _bench(
    name: str, customers: int, runs: int, fast: bool, rules: list[str], bulk: bool = False
) -> dict[str, float]:
    figures: dict[str, float] = {}
    async with _seeded(name, customers, fast, bulk) as (store, seed_s):
        figures["seed_s"] = seed_s
        await save_trait(store, TRAIT, "bench", NOW)
        full: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            await refresh_traits(store, NOW)
            full.append((time.perf_counter() - started) * 1000)
        ids = [r["id"] for r in await store.read(
            "MATCH (c:Customer) RETURN c.id AS id ORDER BY id LIMIT $n",
            {"n": max(1, customers // 100)})]  # fmt: skip
        part: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            await refresh_traits(store, NOW, customers=ids)
            part.append((time.perf_counter() - started) * 1000)
        figures["refresh_full_ms"] = statistics.median(full)
        figures["refresh_1pct_ms"] = statistics.median(part)
        figures["refresh_1pct_over_full"] = statistics.median(part) / statistics.median(full)
        for rule_name in rules:
            rule, hand = RULES[rule_name]
            compiled = r.compile_rule(rule, r.Knobs(now=NOW), include_restricted=False)
            ours = "\n".join([*compiled.lines, "RETURN count(e) AS n"])
            hand_params = {"now": NOW, "since": NOW - 365 * DAY}
            a_ms: list[float] = []
            b_ms: list[float] = []
            counts = set()
            for i in range(runs):
                order = [(ours, compiled.params, a_ms), (hand, hand_params, b_ms)]
                for query, params, out in order if i % 2 == 0 else reversed(order):
                    ms, n = await _ms(store, query, params)
                    out.append(ms)
                    counts.add(n)
            if len(counts) != 1:
                raise SystemExit(f"{name} {rule_name}: compiled and hand-written differ: {counts}")
            figures[f"{rule_name}_compiled_ms"] = statistics.median(a_ms)
            figures[f"{rule_name}_hand_ms"] = statistics.median(b_ms)
            figures[f"{rule_name}_ratio"] = statistics.median(a_ms) / statistics.median(b_ms)
            figures[f"{rule_name}_count"] = float(counts.pop())
    return figures


@asynccontextmanager
async def _seeded(
    name: str, customers: int, fast: bool, bulk: bool
) -> AsyncIterator[tuple[GraphStore, float]]:
    """A store holding ``customers`` of the synthetic data, and the seconds it took."""
    config = SyntheticConfig(customers=customers)
    if bulk:  # imported offline into a new Neo4j (hub seed --bulk-neo4j)
        async with bulk_engine_at(name, config) as opened:
            yield opened.store, opened.figures["seed_s"]
        return
    async with engine(name) as (store, _):
        report = await (seed_fast if fast else seed)(store, config)
        yield store, report.seconds


def _rules(text: str) -> list[str]:
    names = [n for n in text.split(",") if n]
    unknown = sorted(set(names) - set(RULES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"rules are some of {', '.join(RULES)}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--engines", default="embedded")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--fast-seed", action="store_true", help="seed with `hub seed --fast` (100k and more)"
    )
    parser.add_argument(
        "--bulk-seed",
        action="store_true",
        help="import offline into a new Neo4j (hub seed --bulk-neo4j; --engines neo4j)",
    )
    parser.add_argument("--rules", type=_rules, default=list(RULES), help="comma-separated")
    args = parser.parse_args()
    if args.bulk_seed and args.engines != "neo4j":
        parser.error("--bulk-seed imports into Neo4j only: add --engines neo4j")
    for name in args.engines.split(","):
        env = environment()  # the load average before the run
        figures = asyncio.run(
            _bench(name, args.customers, args.runs, args.fast_seed, args.rules, args.bulk_seed)
        )
        print(f"\n{name}, {args.customers:,} customers (median ms of {args.runs} runs)")
        print(f"{'rule':<22}{'compiled':>10}{'hand':>10}{'ratio':>8}{'count':>8}")
        for rule_name in args.rules:
            f = {k.removeprefix(rule_name + "_"): v for k, v in figures.items()
                 if k.startswith(rule_name + "_")}  # fmt: skip
            print(f"{rule_name:<22}{f['compiled_ms']:>10.1f}{f['hand_ms']:>10.1f}"
                  f"{f['ratio']:>8.2f}{f['count']:>8.0f}")  # fmt: skip
        print(f"trait refresh: full {figures['refresh_full_ms']:.1f} ms, 1% "
              f"{figures['refresh_1pct_ms']:.1f} ms "
              f"({figures['refresh_1pct_over_full']:.2f} of full)")  # fmt: skip
        # The 10k default keeps its historical file name; other sizes get their own.
        suffix = "" if args.customers == 10_000 else f"_{args.customers}"
        write_results(f"audiences_{name}{suffix}", figures, name, args.customers,
                      "compiled rule / hand-written Cypher, median of A-B-B-A runs; "
                      "trait refresh for 1% of customers / for all; load average at the "
                      f"end {os.getloadavg()}; environment: {env}")  # fmt: skip


if __name__ == "__main__":
    main()
