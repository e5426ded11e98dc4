"""Recommendations (analytics/recommend.py, the reference of graph/recommend.py's scores)
against a popularity baseline, on a time split of the synthetic data.

    python -m bench.recommend [--customers 3000] [--seed 42] [--test-days 180] [--k 10]

Train on the purchases before a cut date (`--test-days` before the data's end), the
follows and interactions before it, and the customers' tags; test on the products (or
brands) each customer first bought in the next `--test-days`. Both rankers leave out what
the customer bought before the cut, and neither checks consent (the synthetic consents
never grant personalisation; the served model only narrows the same ranking to consented
brands). The baseline ranks by customers who bought each item in the train period.
Customers with a new item in the test period are evaluated; "warm" ones also bought
before the cut. Figures go to bench/results/recommend.json.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table

from analytics import recommend as rec
from bench.common import write_results
from loaders.synthetic import DAY_MS, SyntheticConfig, generate

Rows = Iterable[tuple[str, list[dict[str, Any]]]]


def synthetic_records(
    stream: Rows, kind: str
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int | None]], list[tuple[str, str]]]:
    """(purchases (customer, item, at), engagements (customer, brand, at), tags (customer,
    tag)) from loaders/synthetic.py's rows; items are products or brands (``kind``)."""
    purchases: list[tuple[str, str, int]] = []
    engagements: list[tuple[str, str, int | None]] = []
    tags: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    post_brand: dict[str, str] = {}
    for name, rows in stream:
        for row in rows:
            if name == "social_accounts" and row.get("customer_id"):
                owner[row["id"]] = row["customer_id"]
            elif name == "purchases":
                items = (
                    {i["product_id"] for i in row["items"]} if kind == "product"
                    else {row["brand_id"]}
                )  # fmt: skip
                purchases += [(row["customer_id"], item, row["at"]) for item in items]
            elif name == "posts" and row["author_kind"] == "brand":
                post_brand[row["id"]] = row["author_id"]
            elif name == "follows" and row["target_kind"] == "brand" and row["account_id"] in owner:
                engagements.append((owner[row["account_id"]], row["target_id"], row["since"]))
            elif (
                name == "interactions"
                and row["post_id"] in post_brand
                and row["account_id"] in owner
            ):
                engagements.append(
                    (owner[row["account_id"]], post_brand[row["post_id"]], row["at"])
                )
            elif name == "customer_tags":
                tags.append((row["customer_id"], row["tag_id"]))
    return purchases, engagements, tags


def compare(split: rec.Split, k: int, customers: list[str]) -> dict[str, rec.Evaluation]:
    """The model's and the baseline's evaluation over ``customers`` (of the test set)."""
    popular = rec.popularity(split.train)
    truth = {c: split.test[c] for c in customers}
    lists = {
        "model": {c: rec.recommend(split.train, c, k) for c in customers},
        "popularity": {c: rec.popular_for(popular, split.train, c, k) for c in customers},
    }
    return {name: rec.evaluate(found, truth, k) for name, found in lists.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-days", type=int, default=180)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    config = SyntheticConfig(customers=args.customers, seed=args.seed)
    end = config.end_ms
    cut = end - args.test_days * DAY_MS
    figures: dict[str, float] = {"customers": args.customers, "k": args.k}
    table = Table(title=f"Hit rate, precision, recall at {args.k}; {args.customers} customers")
    for column in ("items", "customers", "ranker", "hit rate", "precision", "recall", "s"):
        table.add_column(column, justify="right")
    rows = 0
    for kind in ("product", "brand"):
        purchases, engagements, tags = synthetic_records(generate(config), kind)
        rows += len(purchases)
        split = rec.time_split(purchases, engagements, tags, cut, end)
        groups = {
            "all": sorted(split.test),
            "warm": sorted(c for c in split.test if split.train.bought.get(c)),
        }
        for group, customers in groups.items():
            started = time.perf_counter()
            found = compare(split, args.k, customers)
            seconds = time.perf_counter() - started
            for name, e in found.items():
                prefix = f"{kind}_{group}_{name}"
                figures[f"{prefix}_hit_rate"] = round(e.hit_rate, 4)
                figures[f"{prefix}_precision"] = round(e.precision, 4)
                figures[f"{prefix}_recall"] = round(e.recall, 4)
                figures[f"{kind}_{group}_customers"] = e.customers
                table.add_row(
                    kind, f"{e.customers} {group}", name, f"{e.hit_rate:.3f}",
                    f"{e.precision:.3f}", f"{e.recall:.3f}", f"{seconds:.1f}",
                )  # fmt: skip
            model, base = found["model"].hit_rate, found["popularity"].hit_rate
            figures[f"{kind}_{group}_hit_rate_ratio"] = round(model / base, 3) if base else 0.0
    Console().print(table)
    write_results(
        "recommend",
        figures,
        engine="none (in-process, analytics/recommend.py)",
        rows=rows,
        notes=f"loaders/synthetic.py seed {args.seed}; train before end - {args.test_days} "
        f"days, test the {args.test_days} days after; weights {rec.Weights()}",
    )


if __name__ == "__main__":
    main()
