"""The `hub` command: serve, demo, seed, migrate, schema."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.errors import EngineStartError, GraphError, GraphUnavailable, InvalidGraphUrl
from graph.migrations import migrate as run_migrations
from graph.store import GraphStore
from hub.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="The customer-360 graph hub.", no_args_is_help=True, add_completion=False)
err = Console(stderr=True)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as e:
        fail(str(e), code=2)


def run_with_store(settings: Settings, work: Callable[[GraphStore], Awaitable[T]]) -> T:
    """Open the configured graph, migrate it, run ``work``, close it; errors end in one line."""

    async def main() -> T:
        from hub.app import open_configured_store

        async with open_configured_store(settings) as store:
            await run_migrations(store)
            return await work(store)

    try:
        return asyncio.run(main())
    except InvalidGraphUrl as e:
        fail(f"HUB_GRAPH_URL: {e}", code=2)
    except GraphUnavailable as e:
        fail(f"{e} — start Neo4j (make neo4j) or point HUB_GRAPH_URL at a running one")
    except EngineStartError as e:
        fail(str(e))
    except GraphError as e:
        fail(f"the graph refused a statement: {e}")


def _seed(settings: Settings, customers: int, brands: int, seed: int, quiet: bool) -> None:
    from loaders.seed import seed as seed_graph
    from loaders.synthetic import SyntheticConfig

    config = SyntheticConfig(customers=customers, brands=brands, seed=seed)
    progress = Progress(
        TextColumn("[bold]seeding[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )

    async def work(store: GraphStore) -> None:
        with progress:
            task = progress.add_task("", total=customers)

            def on_batch(kind: str, rows: int) -> None:
                progress.update(task, description=kind, advance=rows if kind == "customers" else 0)

            report = await seed_graph(store, config, on_batch)
        rate = report.total_rows / report.seconds if report.seconds else 0.0
        err.print(
            f"seeded {report.total_rows:,} rows ({customers:,} customers, seed {seed}) into "
            f"the {store.engine} engine in {report.seconds:.1f}s ({rate:,.0f} rows/s)",
            highlight=False,
        )

    run_with_store(settings, work)


Customers = Annotated[int, typer.Option(min=1, help="Number of customers to generate.")]
Brands = Annotated[int, typer.Option(min=1, help="Number of brands.")]
Seed = Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
Host = Annotated[str | None, typer.Option(help="Interface to listen on [env HUB_HOST].")]
Port = Annotated[int | None, typer.Option(help="Port to listen on [env HUB_PORT].")]


@app.command()
def seed(
    customers: Customers = 2000, brands: Brands = 20, seed: Seed = 42, quiet: Quiet = False
) -> None:
    """Write a deterministic synthetic dataset into the configured graph."""
    _seed(settings_or_exit(), customers, brands, seed, quiet)


@app.command()
def migrate() -> None:
    """Create the constraints and indexes (idempotent)."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> str:
        return store.engine

    engine = run_with_store(settings, work)
    err.print(f"schema is up to date on the {engine} engine")


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")


def _serve(settings: Settings) -> None:
    import uvicorn

    from hub.app import create_app

    err.print(
        f"serving on http://{settings.host}:{settings.port}/graphql "
        f"({settings.graph_url.split('://')[0]} engine)",
        highlight=False,
    )
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                    log_level=settings.log_level)  # fmt: skip
    except (GraphError, SystemExit) as e:
        if isinstance(e, SystemExit) and not e.code:
            raise
        fail(f"the hub could not start: {e}")


@app.command()
def serve(host: Host = None, port: Port = None) -> None:
    """Serve the GraphQL API (GraphiQL in the browser at /graphql)."""
    _serve(settings_or_exit(host=host, port=port))


@app.command()
def demo(
    customers: Customers = 2000, brands: Brands = 20, seed: Seed = 42,
    host: Host = None, port: Port = None,
) -> None:  # fmt: skip
    """Seed sample data (idempotent: a re-run adds nothing) and serve it."""
    settings = settings_or_exit(host=host, port=port)
    _seed(settings, customers, brands, seed, quiet=False)
    err.print(
        'try: { customer(id: "c0000001") { name identities { account { platform handle } } '
        "purchases(first: 3) { nodes { at total brand { name } } } } }",
        highlight=False,
    )
    _serve(settings)


def main() -> None:
    app()
