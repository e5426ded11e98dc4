"""The synthetic dataset through an engine's own bulk importer, for 100k-1M customers
(loaders/bulk_seed.py writes the tables): `hub seed --bulk-neo4j DIR` imports offline into
a new Neo4j data directory (graph/neo4j_import.py); `hub seed --bulk` loads the configured
embedded engine's empty graph with GRAPH.BULK (graph/falkor_bulk.py)."""

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import typer

from graph.bulk import BulkValueError
from graph.falkor_bulk import bulk_insert
from graph.falkor_store import FalkorStore
from graph.neo4j_import import Neo4jImportFailed, holds_database, run_import
from graph.store import GraphStore
from hub.runner import err, run_with_store, seed_progress
from hub.settings import Settings
from loaders.bulk_seed import write_tables
from loaders.synthetic import SyntheticConfig


def seed_embedded_bulk(
    settings: Settings, customers: int, brands: int, seed: int, quiet: bool
) -> None:
    """Write the tables into a temporary directory and load them with GRAPH.BULK into the
    configured embedded graph, which must hold no node. Exits 1 with the reason
    otherwise."""
    if not settings.graph_url.startswith("embedded://"):
        err.print(
            "--bulk loads the embedded engine; for Neo4j use --bulk-neo4j DIR (an offline "
            "import into a new data directory)",
            highlight=False,
        )
        raise typer.Exit(2)
    config = SyntheticConfig(customers=customers, brands=brands, seed=seed)

    async def work(store: GraphStore) -> None:
        assert isinstance(store, FalkorStore)
        started = time.perf_counter()
        with (
            tempfile.TemporaryDirectory(prefix="hub-bulk-") as tmp,
            seed_progress("writing tables", quiet) as bar,
        ):
            task = bar.add_task("", total=customers)

            def on_batch(kind: str, rows: int) -> None:
                bar.update(task, description=kind, advance=rows if kind == "customers" else 0)

            tables, report = await asyncio.to_thread(write_tables, config, Path(tmp), on_batch)
            nodes, relationships = await bulk_insert(store, tables)
        seconds = time.perf_counter() - started
        err.print(
            f"loaded {report.total_rows:,} rows as {nodes:,} nodes and {relationships:,} "
            f"relationships ({customers:,} customers, seed {seed}) into the embedded engine "
            f"in {seconds:.0f}s",
            highlight=False,
        )

    try:
        run_with_store(settings, work)  # a graph that holds nodes: one line, exit 1
    except BulkValueError as e:
        err.print(f"bulk load refused: {e}", highlight=False)
        raise typer.Exit(1) from None


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
    progress = seed_progress("writing tables", quiet)
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
