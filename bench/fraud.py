"""Fraud patterns (analytics/fraud.py) against an isolation forest on the same features,
in-process and in the graph; account farms (analytics/farms.py) in-process and in the graph.

    python -m bench.fraud [--customers 20000] [--seed 7] [--graph embedded|neo4j|none]

Data: loaders/synthetic_fraud.py, ordinary customers with households sharing an address,
and about 3% injected, labelled fraudsters (rings, bursts, refund abuse); and as many
social accounts, about 3% of them in injected account farms. Both purchase rankers see the
same per-customer evidence (analytics.fraud.FEATURES); the baseline is scikit-learn's
IsolationForest (200 trees, fixed seed), scored by its anomaly score. Precision and recall
at k = the number of labelled fraudsters (farm accounts), overall and per kind.

The graph path loads the same data into an engine (`--graph`, default embedded) and runs
graph/fraud.py's statements as the API does (resolvers/fraud.py), scoring their rows with
the same analytics code: its figures must equal the in-process ones. Figures go to
bench/results/fraud.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Mapping

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.ensemble import IsolationForest

from analytics import farms, fraud
from analytics.evaluation import precision_recall_at_k
from bench.common import engine, write_results
from loaders.pipeline import write_records
from loaders.synthetic_fraud import (
    FRAUD_KINDS,
    FraudData,
    SocialData,
    generate,
    generate_farms,
    graph_rows,
)
from resolvers import fraud as api
from resolvers.context import Context
from resolvers.principal import SYSTEM

Scores = dict[str, float]
LOAD_BATCH = 1000  # rows a write, as the loaders batch (LoadOptions.batch_size)


def isolation_forest_scores(events: list[fraud.PurchaseEvent], seed: int) -> Scores:
    """Anomaly score per customer (higher is more anomalous) on the patterns' features."""
    table = fraud.features(events)
    ids = sorted(table)
    matrix = np.array([table[c] for c in ids])
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(matrix)
    return dict(zip(ids, (-forest.score_samples(matrix)).tolist(), strict=True))


def farm_scores(social: SocialData) -> Scores:
    """In-process: the farm accounts' scores from the plain interactions."""
    pairs = farms.lockstep_pairs(social.interactions, social.accounts, api.FARM_CONFIG)
    return farms.account_scores(farms.farms(pairs, api.FARM_CONFIG))


async def graph_scores(
    name: str, data: FraudData, social: SocialData, figures: dict[str, float]
) -> tuple[Scores, Scores]:
    """The customers' and accounts' scores from the graph's statements on engine ``name``;
    adds the load and query seconds and the API's signal count to ``figures``."""
    async with engine(name) as (store, _):
        started = time.perf_counter()
        for kind, rows in graph_rows(data, social):
            for at in range(0, len(rows), LOAD_BATCH):
                await write_records(store, kind, rows[at : at + LOAD_BATCH], api_now())
        figures["graph_load_seconds"] = round(time.perf_counter() - started, 3)
        ctx = Context(store, SYSTEM)
        started = time.perf_counter()
        evidence = await api.purchase_evidence(ctx, rings=True, patterns=True)
        customers = fraud.scores_of(evidence, api.CONFIG)
        figures["graph_patterns_query_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        accounts = farms.account_scores(farms.farms(await api.lockstep_pairs(ctx), api.FARM_CONFIG))
        figures["graph_farms_query_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        signals = await api.fraud_signals(ctx, None, 10.0)
        figures["graph_api_seconds"] = round(time.perf_counter() - started, 3)
        figures["graph_api_signals"] = len(signals)
    return customers, accounts


def api_now() -> int:
    return int(time.time() * 1000)


def evaluate(
    name: str, labels: Mapping[str, str], kinds: tuple[str, ...], rank: Callable[[], Scores],
    figures: dict[str, float], table: Table,
) -> Scores:  # fmt: skip
    """Time ``rank``, add its P/R@k (k = labelled) and recall per kind to ``figures`` and
    a row to ``table``; return the scores."""
    started = time.perf_counter()
    scores = rank()
    seconds = time.perf_counter() - started
    k = len(labels)
    precision, recall = precision_recall_at_k(labels, scores, k)
    top = sorted(scores, key=lambda c: (-scores[c], c))[:k]
    per_kind = []
    for kind in kinds:
        positives = {c for c, label in labels.items() if label == kind}
        per_kind.append(sum(c in positives for c in top) / max(len(positives), 1))
        figures[f"{name}_recall_{kind}"] = round(per_kind[-1], 3)
    figures[f"{name}_precision_at_k"] = round(precision, 3)
    figures[f"{name}_recall_at_k"] = round(recall, 3)
    figures[f"{name}_seconds"] = round(seconds, 3)
    table.add_row(name, f"{precision:.3f}", f"{recall:.3f}",
                  *(f"{r:.3f}" for r in per_kind), f"{seconds:.2f}")  # fmt: skip
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--graph", choices=("embedded", "neo4j", "none"), default="embedded")
    args = parser.parse_args()
    data = generate(args.customers, seed=args.seed)
    social = generate_farms(args.customers, seed=args.seed)
    k = len(data.labels)
    figures: dict[str, float] = {
        "customers": args.customers,
        "fraudsters": k,
        "accounts": args.customers,
        "farm_accounts": len(social.labels),
    }
    table = Table(title=f"Fraud at top k={k} of {args.customers} customers")
    table.add_column("ranker")
    for column in ("precision@k", "recall@k", *(f"recall {kind}" for kind in FRAUD_KINDS), "s"):
        table.add_column(column, justify="right")
    patterns = evaluate("patterns", data.labels, FRAUD_KINDS,
                        lambda: fraud.scores(data.events), figures, table)  # fmt: skip
    evaluate("isolation_forest", data.labels, FRAUD_KINDS,
             lambda: isolation_forest_scores(data.events, args.seed), figures, table)  # fmt: skip
    farm_table = Table(title=f"Account farms at top k={len(social.labels)} of {args.customers}")
    for column in ("ranker", "precision@k", "recall@k", "recall account_farm", "s"):
        farm_table.add_column(column, justify="right" if column != "ranker" else "left")
    in_process = evaluate("farms", social.labels, ("account_farm",),
                          lambda: farm_scores(social), figures, farm_table)  # fmt: skip
    console = Console()
    if args.graph != "none":
        customers, accounts = asyncio.run(graph_scores(args.graph, data, social, figures))
        evaluate("graph_patterns", data.labels, FRAUD_KINDS, lambda: customers, figures, table)
        evaluate("graph_farms", social.labels, ("account_farm",), lambda: accounts, figures,
                 farm_table)  # fmt: skip
        flagged = {c for c, s in patterns.items() if s > 0}
        figures["graph_same_scores"] = float(
            set(customers) >= flagged
            and all(abs(customers[c] - patterns[c]) < 0.05 for c in flagged)
            and accounts == in_process
        )
    console.print(table)
    console.print(farm_table)
    write_results(
        "fraud",
        figures,
        engine=f"{args.graph} (graph path); in-process for analytics/",
        rows=len(data.events) + len(social.interactions),
        notes="k = number of labelled fraudsters (farm accounts); loaders/synthetic_fraud.py, "
        f"seed {args.seed}; IsolationForest(n_estimators=200) on analytics.fraud.FEATURES; "
        "graph_* = graph/fraud.py's statements scored by the same analytics code",
    )


if __name__ == "__main__":
    main()
