"""The `hub` command: serve, demo, seed, migrate, prune, schema."""

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from graph.errors import GraphError
from graph.store import GraphStore, WriteCounters
from hub import export_cli, load_cli, resolve_cli
from hub.keys_cli import keys_app
from hub.partner_cli import partners_app
from hub.predict_cli import predict_app
from hub.runner import err, fail, run_with_store, seed_progress, settings_or_exit
from hub.settings import Settings
from hub.startup import upgrade_lines
from hub.subject_cli import subject_app
from loaders.key_upgrade import KeyUpgradeReport

app = typer.Typer(help="The customer-360 graph hub.", no_args_is_help=True, add_completion=False)


def _seed(
    settings: Settings, customers: int, brands: int, seed: int, quiet: bool, fast: bool = False
) -> None:
    from loaders.fast_seed import seed_fast
    from loaders.seed import seed as seed_graph
    from loaders.synthetic import SyntheticConfig

    config = SyntheticConfig(customers=customers, brands=brands, seed=seed)
    progress = seed_progress("seeding", quiet)

    async def work(store: GraphStore) -> None:
        with progress:
            task = progress.add_task("", total=customers)

            def on_batch(kind: str, rows: int) -> None:
                progress.update(task, description=kind, advance=rows if kind == "customers" else 0)

            report = await (seed_fast if fast else seed_graph)(
                store,
                config,
                on_batch,
                erasure_key=settings.privacy_config().erasure_key(),
            )
            if report.counters != WriteCounters():
                await store.compact()  # the next engine start loads a snapshot, not a replay
        rate = report.total_rows / report.seconds if report.seconds else 0.0
        err.print(
            f"seeded {report.total_rows:,} rows ({customers:,} customers, seed {seed}) into "
            f"the {store.engine} engine in {report.seconds:.1f}s ({rate:,.0f} rows/s)",
            highlight=False,
        )

    run_with_store(settings, work)


class ExportFormat(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"


Customers = Annotated[int, typer.Option(min=1, help="Number of customers to generate.")]
Brands = Annotated[int, typer.Option(min=1, help="Number of brands.")]
Seed = Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
Host = Annotated[str | None, typer.Option(help="Interface to listen on [env HUB_HOST].")]
Port = Annotated[int | None, typer.Option(help="Port to listen on [env HUB_PORT].")]
Workers = Annotated[
    int | None,
    typer.Option(min=1, max=64, help="Worker processes on the port [env HUB_WORKERS; default: "
                 "one per core]."),
]  # fmt: skip


@app.command()
def seed(
    customers: Customers = 2000,
    brands: Brands = 20,
    seed: Seed = 42,
    quiet: Quiet = False,
    export: Annotated[
        Path | None,
        typer.Option(help="Write the dataset as export files into this directory instead."),
    ] = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="Export file format.")
    ] = ExportFormat.csv,
    gzip: Annotated[bool, typer.Option(help="Gzip the export files.")] = True,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="Generate in a second process and link accounts as generated, for "
            "100k-1M customers (docs/loading.md).",
        ),
    ] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Load the embedded engine's empty graph with its bulk importer (GRAPH.BULK; "
            "100k-1M customers, docs/loading.md).",
        ),
    ] = False,
    bulk_neo4j: Annotated[
        Path | None,
        typer.Option(
            "--bulk-neo4j",
            metavar="DIR",
            help="Import offline into a new Neo4j data directory instead (neo4j-admin "
            "import; 1M customers in minutes; serve it with scripts/neo4j-dev --data DIR).",
        ),
    ] = None,
) -> None:
    """Write a deterministic synthetic dataset into the configured graph (or as files)."""
    if bulk_neo4j is not None:
        from hub.bulk_cli import seed_neo4j_offline

        seed_neo4j_offline(bulk_neo4j, customers, brands, seed, quiet)
        return
    if bulk:
        from hub.bulk_cli import seed_embedded_bulk

        seed_embedded_bulk(settings_or_exit(), customers, brands, seed, quiet)
        return
    if export is None:
        _seed(settings_or_exit(), customers, brands, seed, quiet, fast)
        return
    load_cli.export_dataset(export, customers, brands, seed, format.value, gzip, quiet)


@app.command()
def migrate() -> None:
    """Create the constraints and indexes, and upgrade old email/phone keys (idempotent)."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> str:
        return store.engine

    def report(upgrade: KeyUpgradeReport) -> None:
        for line in upgrade_lines(upgrade, always=True):
            err.print(line, highlight=False)

    engine = run_with_store(settings, work, on_prepared=report)
    err.print(f"schema is up to date on the {engine} engine")


@app.command()
def prune() -> None:
    """Delete receipts, finished webhook deliveries and delivered outbox events past their
    retention (HUB_RECEIPT_RETENTION_DAYS, HUB_DELIVERY_RETENTION_DAYS), as the running hub
    does every HUB_PRUNE_EVERY_S."""
    from resolvers.clock import now_ms
    from resolvers.retention import PruneReport
    from resolvers.retention import prune as prune_graph

    settings = settings_or_exit()

    async def work(store: GraphStore) -> PruneReport:
        return await prune_graph(store, settings.retention(), now_ms())

    done = run_with_store(settings, work)
    err.print(
        f"pruned {done.receipts} receipts, {done.deliveries} webhook deliveries and "
        f"{done.outbox_events} outbox events",
        highlight=False,
    )


@app.command()
def schema(
    federation: Annotated[
        bool, typer.Option(help="As an Apollo Federation v2 subgraph (HUB_FEDERATION=1).")
    ] = False,
) -> None:
    """Print the GraphQL schema (SDL)."""
    from schema import build_schema

    sys.stdout.write(build_schema(federation=federation).as_str() + "\n")


def _serve(settings: Settings) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from hub.app import create_app
    from hub.logs import json_log_config
    from hub.serve import default_workers, serve_workers

    workers = settings.workers or default_workers()
    if workers > 1 and settings.prometheus == "port":
        fail("HUB_PROMETHEUS=port serves one process's metrics on a port of its own: serve "
             "with --workers 1, or use HUB_PROMETHEUS=admin", code=2)  # fmt: skip
    err.print(
        f"serving on http://{settings.host}:{settings.port}/graphql "
        f"({settings.graph_url.split('://')[0]} engine, {workers} "
        f"worker{'s' if workers > 1 else ''})",
        highlight=False,
    )
    json_logs = settings.log_format == "json"
    log_config = json_log_config(settings.log_level) if json_logs else LOGGING_CONFIG
    try:
        if workers > 1:
            serve_workers(settings, workers, log_level=settings.log_level, log_config=log_config)
        else:
            uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                        log_level=settings.log_level, log_config=log_config)  # fmt: skip
    except GraphError as e:
        fail(f"the hub could not start: {e}")
    except SystemExit as e:
        if not e.code:
            raise
        # uvicorn exits 3 when start-up failed; the reason is the line it logged above.
        raise typer.Exit(1) from None


@app.command()
def serve(host: Host = None, port: Port = None, workers: Workers = None) -> None:
    """Serve the GraphQL API (GraphiQL in the browser at /graphql, the console at /console)."""
    _serve(settings_or_exit(host=host, port=port, workers=workers))


@app.command()
def demo(
    customers: Customers = 2000, brands: Brands = 20, seed: Seed = 42,
    host: Host = None, port: Port = None,
) -> None:  # fmt: skip
    """Seed sample data (idempotent: a re-run adds nothing) and serve it."""
    settings = settings_or_exit(host=host, port=port)
    _seed(settings, customers, brands, seed, quiet=False)
    key = _demo_key(settings)
    base = f"http://{settings.host}:{settings.port}/graphql"
    err.print(
        f"demo API key (app role; a new one each run, earlier demo keys are revoked):\n  {key}\n"
        f"try:\n  curl -s {base} -H 'Authorization: Bearer {key}' "
        '-H \'Content-Type: application/json\' -d \'{"query": "{ customer(id: \\"c0000001\\") '
        "{ name purchases(first: 3) { nodes { at total brand { name } } } } }\"}'\n"
        'or open the URL in a browser and add the header {"Authorization": "Bearer <key>"}'
        " in GraphiQL's Headers tab,\n"
        f"or sign in to the console at http://{settings.host}:{settings.port}/console/ with it.",
        highlight=False,
        soft_wrap=True,
    )
    _serve(settings)


def _demo_key(settings: Settings) -> str:
    """A fresh app-role key named `demo`; earlier demo keys are revoked."""
    from resolvers import keys
    from resolvers.principal import Role

    async def work(store: GraphStore) -> str:
        await keys.revoke_keys_named(store, "demo")
        return (await keys.create_key(store, "demo", Role.APP)).key

    return run_with_store(settings, work)


app.command()(load_cli.load)
app.command()(load_cli.relink)
app.command()(resolve_cli.resolve)
app.command()(export_cli.export)
app.add_typer(keys_app, name="keys")
app.add_typer(subject_app, name="subject")
app.add_typer(partners_app, name="partners")
app.add_typer(predict_app, name="predict")


def main() -> None:
    app()
