"""Fraud patterns (analytics/fraud.py) against an isolation forest on the same features.

    python -m bench.fraud [--customers 20000] [--seed 7]

Data: loaders/synthetic_fraud.py, ordinary customers with households sharing an address,
and about 3% injected, labelled fraudsters (rings, bursts, refund abuse). Both rankers
see the same per-customer evidence (analytics.fraud.FEATURES); the baseline is
scikit-learn's IsolationForest (200 trees, fixed seed), scored by its anomaly score.
Precision and recall at k = the number of labelled fraudsters, overall and per kind
(recall per kind). Figures go to bench/results/fraud.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.ensemble import IsolationForest

from analytics import fraud
from analytics.evaluation import precision_recall_at_k
from bench.common import write_results
from loaders.synthetic_fraud import FRAUD_KINDS, generate


def isolation_forest_scores(events: list[fraud.PurchaseEvent], seed: int) -> dict[str, float]:
    """Anomaly score per customer (higher is more anomalous) on the patterns' features."""
    table = fraud.features(events)
    ids = sorted(table)
    matrix = np.array([table[c] for c in ids])
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(matrix)
    return dict(zip(ids, (-forest.score_samples(matrix)).tolist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate(args.customers, seed=args.seed)
    k = len(data.labels)
    figures: dict[str, float] = {"customers": args.customers, "fraudsters": k}
    table = Table(title=f"Fraud at top k={k} of {args.customers} customers")
    table.add_column("ranker")
    for column in ("precision@k", "recall@k", *(f"recall {kind}" for kind in FRAUD_KINDS), "s"):
        table.add_column(column, justify="right")
    rankers = {
        "patterns": lambda: fraud.scores(data.events),
        "isolation_forest": lambda: isolation_forest_scores(data.events, args.seed),
    }
    for name, rank in rankers.items():
        started = time.perf_counter()
        scores = rank()
        seconds = time.perf_counter() - started
        precision, recall = precision_recall_at_k(data.labels, scores, k)
        per_kind = []
        for kind in FRAUD_KINDS:
            positives = {c for c, label in data.labels.items() if label == kind}
            top = sorted(scores, key=lambda c: (-scores[c], c))[:k]
            per_kind.append(sum(c in positives for c in top) / max(len(positives), 1))
            figures[f"{name}_recall_{kind}"] = round(per_kind[-1], 3)
        figures[f"{name}_precision_at_k"] = round(precision, 3)
        figures[f"{name}_recall_at_k"] = round(recall, 3)
        figures[f"{name}_seconds"] = round(seconds, 3)
        table.add_row(
            name,
            f"{precision:.3f}",
            f"{recall:.3f}",
            *(f"{r:.3f}" for r in per_kind),
            f"{seconds:.2f}",
        )
    Console().print(table)
    write_results(
        "fraud",
        figures,
        engine="none (in-process, analytics/)",
        rows=len(data.events),
        notes="k = number of labelled fraudsters; loaders/synthetic_fraud.py, seed "
        f"{args.seed}; IsolationForest(n_estimators=200) on analytics.fraud.FEATURES",
    )


if __name__ == "__main__":
    main()
