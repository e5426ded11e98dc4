"""What every command shares: the error console, one-line failures, opening the graph."""

import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.errors import EngineStartError, GraphError, GraphUnavailable, InvalidGraphUrl
from graph.store import GraphStore
from hub.settings import Settings, SettingsError, load_settings
from hub.startup import prepare_graph, upgrade_lines
from loaders.key_upgrade import KeyUpgradeReport

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


RESEND_CANCEL_S = 0.2


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM ended the command after its cleanup ran."""


def run_interruptible(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(work)``, except that Ctrl-C and SIGTERM always end it, cleanly
    (context managers close: an engine this command started is stopped), raising
    Interrupted.

    asyncio.run cancels the work once on Ctrl-C, and Python 3.11's asyncio.wait_for (which
    the redis client of the embedded engine uses) can swallow that one cancellation when
    it lands just as the awaited call completes: `hub seed` then ran on to the end. So the
    cancellation is sent again until the work has stopped.
    """

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        interrupted = False

        def cancel() -> None:
            nonlocal interrupted
            interrupted = True
            if not task.done():
                task.cancel()
                loop.call_later(RESEND_CANCEL_S, cancel)

        # Signal handlers can only be set from the main thread (a command run from another
        # thread, as tests do, is not interrupted by signals anyway).
        signals = (
            (signal.SIGINT, signal.SIGTERM)
            if threading.current_thread() is threading.main_thread()
            else ()
        )
        for sig in signals:
            loop.add_signal_handler(sig, cancel)
        try:
            return await work
        except asyncio.CancelledError:
            if interrupted:
                raise Interrupted from None
            raise
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)

    return asyncio.run(main())


def run_with_store(
    settings: Settings,
    work: Callable[[GraphStore], Awaitable[T]],
    on_prepared: Callable[[KeyUpgradeReport], None] | None = None,
) -> T:
    """Open the configured graph, migrate it (``on_prepared`` gets the key upgrade's report;
    by default what the upgrade did is printed), run ``work``, close it; errors end in one
    line."""

    async def main() -> T:
        from hub.app import open_configured_store

        async with open_configured_store(settings) as store:
            upgrade = await prepare_graph(store, settings)
            if on_prepared is not None:
                on_prepared(upgrade)
            else:
                for line in upgrade_lines(upgrade):
                    err.print(line, highlight=False)
            return await work(store)

    try:
        return run_interruptible(main())
    except InvalidGraphUrl as e:
        fail(f"HUB_GRAPH_URL: {e}", code=2)
    except GraphUnavailable as e:
        fail(f"{e} — start Neo4j (make neo4j) or point HUB_GRAPH_URL at a running one")
    except EngineStartError as e:
        fail(str(e))
    except GraphError as e:
        fail(f"the graph refused a statement: {e}")
    except Interrupted:
        fail("interrupted; what was written before stays written", code=130)


def seed_progress(doing: str, quiet: bool) -> Progress:
    """The progress bar of a seed (customers done, kind being written), on stderr; off
    when ``quiet`` or stderr is not a terminal."""
    return Progress(
        TextColumn(f"[bold]{doing}[/] {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )
