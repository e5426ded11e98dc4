"""`python -m bench.predict_graph`: predictions and the market basket on a seeded graph.

Seeds the synthetic dataset into an engine, then times what `hub predict fit` does
(reading the histories, fitting both models) and the basket and churn-rate queries as the
API runs them. Baseline for the basket, measured in the same run: reading every order's
items out of the graph and counting the same item sets in the hub (count_in_the_hub); the
ratio says what counting in the graph saves, and the two counts must be equal. Figures go to
bench/results/predict_graph.json; docs/predictions.md quotes them.
"""

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from itertools import combinations
from typing import Any

from rich.console import Console
from rich.table import Table

from analytics import basket as reference
from bench.common import engine, write_results
from graph import predictions as gp
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers import basket, predictions
from resolvers.context import Context
from resolvers.principal import Principal, Role

# Every order's products, read whole: the baseline's input.
ORDER_ITEMS = (
    "MATCH (:Customer)-[:MADE]->(o:Purchase)-[:CONTAINS]->(p:Product) "
    "RETURN o.id AS basket, collect(DISTINCT p.id) AS items"
)
MIN_SUPPORT = 0.0005


def count_in_the_hub(
    baskets: list[list[str]], min_support: float, max_size: int
) -> tuple[int, dict[frozenset[str], int]]:
    """What the graph's statements do, in the hub: per size, each basket's sets of the
    items of the frequent sets before, counted (the fair baseline: analytics/basket.py's
    reference Apriori tests every candidate against every basket, which is slower)."""
    n = len(baskets)
    counts: dict[frozenset[str], int] = {}
    items: set[str] | None = None
    for size in range(1, max_size + 1):
        tally: Counter[tuple[str, ...]] = Counter()
        for b in baskets:
            kept = b if items is None else [i for i in b if i in items]
            tally.update(combinations(kept, size))
        level = {frozenset(s): k for s, k in tally.items() if reference.frequent(k, n, min_support)}
        counts |= level
        items = {i for s in level for i in s}
    return n, counts


async def seconds(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return time.perf_counter() - started, result


async def run(engine_name: str, customers: int, seed_value: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    async with engine(engine_name) as (store, _):
        await seed(store, SyntheticConfig(customers=customers, seed=seed_value))
        ctx = Context(store, Principal("bench", Role.ANALYST))
        now = int(time.time() * 1000)
        figures["histories_read_s"], rows = await seconds(
            lambda: store.read(gp.HISTORIES, {"brand": None})
        )
        histories = [predictions._history(r) for r in rows]
        started = time.perf_counter()
        predictions.fit_histories(histories, now / predictions.DAY_MS, 90.0, "global")
        figures["fit_both_models_s"] = time.perf_counter() - started
        figures["buyers"] = len(rows)
        by_products: basket.BasketRules | None = None
        for level, unit in (("product", "order"), ("category", "order"), ("brand", "customer")):
            took, found = await seconds(
                partial(
                    basket.basket_rules, ctx, None, level, unit, (None, None), MIN_SUPPORT, 0.1, 3
                )
            )
            figures[f"rules_{level}_{unit}_s"] = took
            figures[f"rules_{level}_{unit}_itemsets"] = len(found.itemsets)
            by_products = by_products or found
        assert by_products is not None
        found = by_products
        figures["baskets"] = found.baskets

        async def in_the_hub() -> tuple[int, dict[frozenset[str], int]]:
            orders = [sorted(set(r["items"])) for r in await store.read(ORDER_ITEMS)]
            return count_in_the_hub(orders, MIN_SUPPORT, 3)

        figures["rules_product_order_in_hub_s"], (n, counts) = await seconds(in_the_hub)
        assert (n, counts) == (found.baskets, found.itemsets), "the graph and the hub disagree"
        figures["graph_vs_hub_ratio"] = (
            figures["rules_product_order_s"] / figures["rules_product_order_in_hub_s"]
        )
        product = next(iter(sorted(s for s in found.itemsets if len(s) == 1)))
        figures["bought_with_s"], _ = await seconds(
            lambda: basket.products_bought_with(ctx, next(iter(product)), (None, None))
        )
        for by in ("segment", "cohort"):
            figures[f"churn_rates_{by}_s"], _ = await seconds(
                partial(predictions.churn_rates, ctx, by, now, 90)
            )
    return {k: round(v, 3) for k, v in figures.items()}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.predict_graph")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engine", choices=("embedded", "neo4j"), default="embedded")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.engine, args.customers, args.seed))
    table = Table(title=f"predictions in the graph ({args.engine}, {args.customers:,} customers)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}")
    Console().print(table)
    write_results(
        "predict_graph", figures, engine=args.engine, rows=int(figures["baskets"]),
        notes=f"synthetic {args.customers} customers, seed {args.seed}; basket minSupport "
        f"{MIN_SUPPORT}; baseline: every order's items read and counted in the hub",
    )  # fmt: skip


if __name__ == "__main__":
    main()
