"""What every command shares: the error console, one-line failures, opening the graph."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

from graph.errors import EngineStartError, GraphError, GraphUnavailable, InvalidGraphUrl
from graph.migrations import migrate as run_migrations
from graph.store import GraphStore
from hub.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
err = Console(stderr=True)


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
