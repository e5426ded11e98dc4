"""The hub's matcher (identity/) on each benchmark case; see bench/identity.py."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench.identity_tasks import Case, Row, Scored, febrl_frames, hub_truth, read_csv
from identity.decisions import Thresholds
from identity.model import group_starts
from identity.pipeline import LinkRun, resolve_accounts, resolve_duplicates
from identity.records import AccountRecord, CustomerRecord

THRESHOLDS = Thresholds()


def warm() -> None:
    """Load the libraries before the clock starts (pypinyin's dictionaries take a second),
    as the peers' imports are done before theirs."""
    from identity.pinyin import given_pinyin

    given_pinyin("王")


def cpu_time() -> float:
    """CPU seconds of this process and of its finished children (the forked workers)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def run(case: Case) -> dict[str, Any]:
    warm()
    if case.task == "links":
        return _links(Path(case.data_dir), case.workers)
    if case.dataset == "hub":
        customers = read_csv(Path(case.data_dir) / "customers.csv")
        started, cpu = time.perf_counter(), cpu_time()
        result = resolve_duplicates(
            [CustomerRecord.from_row(r) for r in customers],
            default_region="CN",
            workers=case.workers,
        )
        seconds = time.perf_counter() - started
        return _pairs(result, seconds, cpu_time() - cpu)
    frames = febrl_frames(case.dataset)
    started, cpu = time.perf_counter(), cpu_time()
    if case.dataset == "febrl4":
        left = [febrl_record(f"a:{i}", r) for i, r in frames[0].to_dict("index").items()]
        right = [febrl_record(f"b:{i}", r) for i, r in frames[1].to_dict("index").items()]
        result = resolve_duplicates(left, other=right, workers=case.workers)
    else:
        result = resolve_duplicates(
            [febrl_record(i, r) for i, r in frames[0].to_dict("index").items()],
            workers=case.workers,
        )
    return _pairs(result, time.perf_counter() - started, cpu_time() - cpu)


def febrl_record(record_id: str, row: Row) -> CustomerRecord:
    """A FEBRL row as the CRM record it stands for (the recipe's mapping, plus the fields
    the loader does not read yet: date of birth, postcode, address, national id)."""

    def text(key: str) -> str | None:
        value = row.get(key)
        return value.strip() or None if isinstance(value, str) else None

    dob = text("date_of_birth")
    iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if dob and len(dob) == 8 else None
    name = " ".join(x for x in (text("given_name"), text("surname")) if x)
    street = " ".join(x for x in (text("street_number"), text("address_1")) if x)
    return CustomerRecord(
        id=record_id,
        name=name or None,
        birth_date=iso,
        city=text("suburb"),
        birth_year=int(dob[:4]) if dob and dob[:4].isdigit() else None,
        region=text("state"),
        country="AU",
        postcode=text("postcode"),
        address=street or None,
        national_id=text("soc_sec_id"),
    )


def _pairs(result: Any, seconds: float, cpu_seconds: float) -> dict[str, Any]:
    right = result.other or result.customers
    predictions: list[Scored] = [
        (result.customers[int(i)].id, right[int(j)].id, float(p))
        for i, j, p in zip(
            result.candidates.left, result.candidates.right, result.scores.probability, strict=True
        )
        if p >= 0.01
    ]
    return {
        "predictions": predictions,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "operating_threshold": THRESHOLDS.auto_link,
        "steps": result.seconds,
        "model": {"prior": result.model.prior, "converged": result.model.converged},
    }


def _links(data_dir: Path, workers: int) -> dict[str, Any]:
    customers = read_csv(data_dir / "customers.csv")
    accounts = read_csv(data_dir / "social_accounts.csv")
    started, cpu = time.perf_counter(), cpu_time()
    run = resolve_accounts(
        [AccountRecord.from_row(r) for r in accounts],
        [CustomerRecord.from_row(r) for r in customers],
        thresholds=THRESHOLDS,
        default_region="CN",
        workers=workers,
    )
    seconds = time.perf_counter() - started
    cpu_seconds = cpu_time() - cpu
    predictions = [
        (d.account_id, d.customer_id or "", d.probability or 0.0)
        for d in run.decisions
        if d.customer_id
    ]
    # Below the review threshold a decision names nobody; the best candidate still counts
    # for the best-threshold F1.
    predictions += _below_review(run)
    outcomes = {o: sum(d.outcome == o for d in run.decisions) for o in ("link", "review", "none")}
    return {
        "predictions": predictions,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "steps": run.seconds,
        "operating_threshold": THRESHOLDS.auto_link,
        "outcomes": outcomes,
        "reasons": _count(d.reason for d in run.decisions),
        "blocking": blocking_recall(run, data_dir),
        "model": {
            "prior": run.model.prior,
            "converged": run.model.converged,
            "iterations": run.model.iterations,
        },
    }


def _below_review(run: LinkRun) -> list[Scored]:
    decided = {d.account_id for d in run.decisions if d.customer_id}
    starts = group_starts(run.candidates)
    ends = np.append(starts[1:], len(run.candidates))
    out = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        row = start + int(np.argmax(run.scores.probability[start:end]))
        account = run.accounts[int(run.candidates.left[row])].id
        if account not in decided:
            customer = run.customers[int(run.candidates.right[row])].id
            out.append((account, customer, float(run.scores.probability[row])))
    return out


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for value in values:
        out[value] += 1
    return dict(out)


def blocking_recall(run: LinkRun, data_dir: Path) -> dict[str, Any]:
    """Share of the true account-customer pairs that blocking proposed, in all and per
    rule (alone: proposed by that rule only)."""
    truth = hub_truth(data_dir)
    customers_of: dict[str, list[int]] = defaultdict(list)
    for j, c in enumerate(run.customers):
        customers_of[truth[("customer", c.id)]].append(j)
    true_pairs = {
        (i, j)
        for i, a in enumerate(run.accounts)
        for j in customers_of.get(truth[("social_account", a.id)], [])
    }
    n_right = len(run.customers)
    codes = run.candidates.left * n_right + run.candidates.right
    wanted = np.array(sorted(i * n_right + j for i, j in true_pairs), dtype=np.int64)
    found = np.isin(codes, wanted)
    bits = run.candidates.rules[found]
    per_rule = {}
    for b, name in enumerate(run.candidates.rule_names):
        mine = (bits >> b) & 1
        per_rule[name] = {
            "pairs": int(((run.candidates.rules >> b) & 1).sum()),
            "recall": round(float(mine.sum()) / max(len(true_pairs), 1), 4),
            "alone": int((bits == (1 << b)).sum()),
        }
    return {
        "pairs": len(run.candidates),
        "true_pairs": len(true_pairs),
        "recall": round(float(found.sum()) / max(len(true_pairs), 1), 4),
        "rules": per_rule,
        "skipped_keys": run.candidates.skipped_keys,
    }
