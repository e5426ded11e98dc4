"""Customer-360 latency on each engine: the full GraphQL request in-process against the
same statement sent straight to the store (the baseline), in the same run.

    python -m bench.customer360 [--customers 2000] [--runs 100] [--engines neo4j,embedded]
"""

import argparse
import asyncio
import statistics

from rich.console import Console
from rich.table import Table

from bench.common import engine, pct, timed, write_results
from graph import reads
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema

QUERY = """query($id: ID!) { customer(id: $id) {
  name email country
  identities { linkMethod account { platform handle } }
  tags { weight tag { name } }
  consents { active brand { name } }
  purchases(first: 10) { totalCount nodes { at total brand { name } items { quantity product { name } } } }
  interactions(first: 10) { totalCount nodes { kind at post { contentType } } }
  posts(first: 10) { totalCount nodes { at text } }
  complaints(first: 10) { totalCount nodes { status openedAt } }
} }"""  # noqa: E501
PARTS = ["identities", "tags", "consents", "purchases", "interactions", "posts", "complaints"]

APP = Principal("bench", Role.APP)


async def measure(name: str, customers: int, runs: int) -> dict[str, float]:
    schema = build_schema()
    async with engine(name) as (store, figures):
        report = await seed(store, SyntheticConfig(customers=customers))
        figures["seed_rows_per_s"] = report.total_rows / report.seconds
        ids = [f"c{i:07d}" for i in range(1, customers + 1, max(1, customers // runs))][:runs]
        fetches = [
            reads.Fetch(p, reads.Page(10) if reads.CUSTOMER_PARTS[p].ordered else None)
            for p in sorted(PARTS)
        ]
        statement, params = reads.customers_statement(reads.CUSTOMERS_BY_IDS_HEAD, fetches)
        ids_iter = iter(ids * 3)

        async def hub_call() -> None:
            result = await schema.execute(
                QUERY, variable_values={"id": next(ids_iter)}, context_value=Context(store, APP)
            )
            assert result.errors is None, result.errors

        async def raw_call() -> None:
            rows = await store.read(statement, {"ids": [next(ids_iter)], **params})
            assert rows

        await timed(hub_call, 10)  # warm-up: plans cached, connections open
        await timed(raw_call, 10)
        ids_iter = iter(ids * 3)
        hub = await timed(hub_call, runs)
        ids_iter = iter(ids * 3)
        raw = await timed(raw_call, runs)
        figures |= {
            "hub_p50_ms": statistics.median(hub), "hub_p99_ms": pct(hub, 99),
            "raw_p50_ms": statistics.median(raw), "raw_p99_ms": pct(raw, 99),
        }  # fmt: skip
        figures["hub_over_raw_p50"] = figures["hub_p50_ms"] / figures["raw_p50_ms"]
        figures["rows"] = report.total_rows
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--engines", default="neo4j,embedded")
    args = parser.parse_args()
    table = Table(title=f"customer-360, {args.customers:,} customers, {args.runs} calls")
    for col in ("engine", "start s", "seed rows/s", "hub p50 ms", "hub p99 ms", "raw p50 ms",
                "raw p99 ms", "hub/raw p50"):  # fmt: skip
        table.add_column(col, justify="right")
    for name in args.engines.split(","):
        f = asyncio.run(measure(name, args.customers, args.runs))
        write_results(
            f"customer360_{name}",
            f,
            name,
            int(f.pop("rows")),
            f"median/p99 of {args.runs} in-process calls; raw = same statement via the store",
        )
        table.add_row(name, f"{f.get('start_s', float('nan')):.1f}", f"{f['seed_rows_per_s']:,.0f}",
                      f"{f['hub_p50_ms']:.2f}", f"{f['hub_p99_ms']:.2f}", f"{f['raw_p50_ms']:.2f}",
                      f"{f['raw_p99_ms']:.2f}", f"{f['hub_over_raw_p50']:.2f}")  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
