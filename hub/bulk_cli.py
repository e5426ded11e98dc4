"""`hub seed --bulk-neo4j DIR`: the synthetic dataset imported offline into a new Neo4j
data directory (loaders/bulk_seed.py, graph/neo4j_import.py), for 100k-1M customers."""

import shutil
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.bulk import BulkValueError
from graph.neo4j_import import Neo4jImportFailed, holds_database, run_import
from hub.runner import err
from loaders.bulk_seed import write_tables
from loaders.synthetic import SyntheticConfig


def seed_neo4j_offline(data_dir: Path, customers: int, brands: int, seed: int, quiet: bool) -> None:
    """Write the tables, import them into ``data_dir``, say how to serve it. Exits 1 with
    the reason when the directory already holds a database or the import fails."""
    if holds_database(data_dir):
        err.print(
            f"{data_dir} already holds a Neo4j database: the bulk import makes a new graph "
            "and never overwrites one; choose a new directory",
            highlight=False,
        )
        raise typer.Exit(1)
    tables_dir = data_dir / "bulk-tables"
    progress = Progress(
        TextColumn("[bold]writing tables[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )
    started = time.perf_counter()
    try:
        with progress:
            task = progress.add_task("", total=customers)

            def on_batch(kind: str, rows: int) -> None:
                progress.update(task, description=kind, advance=rows if kind == "customers" else 0)

            config = SyntheticConfig(customers=customers, brands=brands, seed=seed)
            tables, report = write_tables(config, tables_dir, on_batch)
        if not quiet:
            err.print(
                f"wrote {report.total_rows:,} rows as {tables.node_count:,} nodes and "
                f"{tables.relationship_count:,} relationships in {report.seconds:.0f}s; "
                "importing",
                highlight=False,
            )
        run_import(tables, data_dir)
    except (BulkValueError, Neo4jImportFailed) as e:
        err.print(f"bulk import failed: {e}", highlight=False)
        raise typer.Exit(1) from None
    shutil.rmtree(tables_dir)
    seconds = time.perf_counter() - started
    err.print(
        f"imported {tables.node_count:,} nodes and {tables.relationship_count:,} relationships "
        f"({customers:,} customers, seed {seed}) into {data_dir} in {seconds:.0f}s. Serve it "
        f"with `scripts/neo4j-dev --data {data_dir}`, then run `hub migrate` against it.",
        highlight=False,
    )
