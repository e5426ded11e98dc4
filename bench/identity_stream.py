"""Identity resolution's streaming path: peak memory at two input sizes.

    python -m bench.identity_stream [--sizes 20000:25000,100000:125000] [--seed 13]

For each size (customers:accounts), a seeded hub-shaped set is written to files
(loaders/synthetic_identity.py), then a fresh process links the accounts the way
`identity.pipeline` streams them: the customers are read and indexed (`CustomerIndex`,
in memory), a model is fitted on a bounded sample of the accounts (one pass over the
file), and `score_accounts` decides them a chunk at a time (a second pass); decisions go
to a file, not to memory. The process reports its RSS after the index, its peak RSS and
the wall time of each step; the parent then measures the decisions against the truth.
With ``--in-memory`` the same sizes also run `resolve_accounts` (everything held), the
contrast. Figures go to bench/results/identity_stream.json.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from bench.common import RESULTS
from bench.identity_tasks import at_threshold, link_outcomes, read_csv
from loaders.synthetic_identity import IdentityBenchConfig, generate, write

console = Console(stderr=True)


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _accounts(path: Path) -> Iterator[Any]:
    """The accounts file read lazily, one record at a time."""
    from identity.records import AccountRecord

    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield AccountRecord.from_row({k: (v if v != "" else None) for k, v in row.items()})


def run_streaming(data_dir: str) -> dict[str, Any]:
    """In a fresh process: index, fit on a sample, score in chunks; decisions to a file."""
    from bench.identity_hub import warm
    from identity.customer_index import CustomerIndex
    from identity.pipeline import fit_account_model, score_accounts
    from identity.records import CustomerRecord

    warm()
    directory = Path(data_dir)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    customers = [CustomerRecord.from_row(r) for r in read_csv(directory / "customers.csv")]
    index = CustomerIndex.build(customers, default_region="CN")
    del customers
    seconds["index"] = time.perf_counter() - started
    after_index = _rss_mb()
    mark = time.perf_counter()
    model = fit_account_model(index, _accounts(directory / "social_accounts.csv"))
    seconds["fit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    counts = {"link": 0, "review": 0, "none": 0}
    with (directory / "decisions.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        for d in score_accounts(model, _accounts(directory / "social_accounts.csv"), index):
            counts[d.outcome] += 1
            if d.customer_id:
                out.writerow((d.account_id, d.customer_id, d.probability))
    seconds["score"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_after_index_mb": after_index,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "outcomes": counts,
    }


def run_in_memory(data_dir: str) -> dict[str, Any]:
    """In a fresh process: `resolve_accounts`, every pair held (the contrast)."""
    from bench.identity_hub import warm
    from identity.pipeline import resolve_accounts
    from identity.records import AccountRecord, CustomerRecord

    warm()
    directory = Path(data_dir)
    started = time.perf_counter()
    run = resolve_accounts(
        [AccountRecord.from_row(r) for r in read_csv(directory / "social_accounts.csv")],
        [CustomerRecord.from_row(r) for r in read_csv(directory / "customers.csv")],
        default_region="CN",
    )
    with (directory / "decisions.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        for d in run.decisions:
            if d.customer_id:
                out.writerow((d.account_id, d.customer_id, d.probability))
    return {
        "seconds": {"total": time.perf_counter() - started},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pairs": len(run.candidates),
    }


def measure(data_dir: Path) -> dict[str, float]:
    with (data_dir / "decisions.csv").open(encoding="utf-8", newline="") as f:
        predictions = [(a, c, float(p)) for a, c, p in csv.reader(f)]
    outcomes, relevant = link_outcomes(predictions, data_dir)
    return at_threshold(outcomes, relevant, 0.95).as_dict()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="20000:25000,100000:125000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args(argv)
    sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",") if s]
    context = multiprocessing.get_context("spawn")
    results: dict[str, dict[str, Any]] = {}
    load = os.getloadavg()
    for customers, accounts in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-identity-stream-") as tmp:
            data_dir = Path(tmp)
            write(generate(IdentityBenchConfig(customers, accounts, seed=args.seed)), data_dir)
            runners = [("streaming", run_streaming)]
            if args.in_memory:
                runners.append(("in_memory", run_in_memory))
            for name, runner in runners:
                console.print(f"{customers}/{accounts}: {name}", highlight=False)
                with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    result = pool.submit(runner, str(data_dir)).result()
                result["quality"] = measure(data_dir)
                results[f"{customers}_{accounts}_{name}"] = result
                console.print(
                    f"  peak {result['peak_rss_mb']:.0f} MB, {result['seconds']['total']:.1f} s,"
                    f" F1 {result['quality']['f1']:.3f}",
                    highlight=False,
                )
                _write(results, sizes, load)  # as each case ends: a long run stopped keeps it
    Console(width=120).print(_table(results))


def _table(results: dict[str, dict[str, Any]]) -> Table:
    table = Table(title="identity resolution, streaming: memory against input size")
    for column in ("customers/accounts", "path", "RSS after index MB", "peak MB", "wall s",
                   "P", "R", "F1"):  # fmt: skip
        table.add_column(column, justify="right")
    for key, r in results.items():
        customers_n, accounts_n, path = key.split("_", 2)
        q = r["quality"]
        table.add_row(
            f"{customers_n}/{accounts_n}",
            path,
            f"{r['rss_after_index_mb']:.0f}" if "rss_after_index_mb" in r else "-",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['seconds']['total']:.1f}",
            f"{q['precision']:.3f}",
            f"{q['recall']:.3f}",
            f"{q['f1']:.3f}",
        )
    return table


def _write(
    results: dict[str, dict[str, Any]], sizes: list[tuple[int, ...]], load: tuple[float, ...]
) -> None:
    figures: dict[str, float] = {}
    for key, r in results.items():
        figures[f"{key}_peak_rss_mb"] = round(r["peak_rss_mb"], 1)
        figures[f"{key}_wall_s"] = round(r["seconds"]["total"], 1)
        figures[f"{key}_f1"] = r["quality"]["f1"]
        if "rss_after_index_mb" in r:
            figures[f"{key}_rss_after_index_mb"] = round(r["rss_after_index_mb"], 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "figures": figures,
        "engine": "none (in-process matcher)",
        "rows": sum(sum(size) for size in sizes),
        "notes": (
            "streaming: CustomerIndex in memory, model fitted on <= 25,000 sampled accounts, "
            "accounts scored 2,000 at a time from the file; peak RSS per process; "
            "P/R/F1 of links at 0.95"
        ),
        "results": results,
        "load_average_at_start": load,
    }
    (RESULTS / "identity_stream.json").write_bytes(
        orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )


if __name__ == "__main__":
    main()
