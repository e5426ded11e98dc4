"""Bulk tables (graph/bulk.py) into the embedded engine with FalkorDB's ``GRAPH.BULK``:
the fast way to a large new graph (`hub seed --bulk`), several times the rows per second
of Cypher batches.

GRAPH.BULK builds a graph that does not exist yet: its first command (``BEGIN``) fails on
an existing key. So an empty graph is deleted first (``hub seed`` and ``hub serve`` run
the migrations at start, so the key usually exists, holding only indexes and
constraints), and the migrations run again at the end: they build every index and
constraint over the loaded data, then compact the engine's log, which folds the bulk
commands into its snapshot. A graph holding any node is refused. A load that fails
midway deletes what it had created, leaving no graph (the migrations, or the next
bulk import, start from there).

The encoding (graph/falkor_bulk_format.py) runs in a worker thread while the previous
command is in the engine: reading and packing the files overlaps with the engine's work.
"""

import asyncio
import contextlib
from collections.abc import Callable

from graph.bulk import BulkTables
from graph.errors import GraphError, GraphNotEmpty, GraphQueryError
from graph.falkor_bulk_format import MAX_COMMAND_BYTES, Command, CommandStream
from graph.falkor_store import GRAPH_NAME, FalkorStore
from graph.fresh_writes import graph_is_empty
from graph.migrations import migrate

Progress = Callable[[str, int], None]


async def bulk_insert(
    store: FalkorStore,
    tables: BulkTables,
    on_progress: Progress | None = None,
    *,
    max_command_bytes: int = MAX_COMMAND_BYTES,
) -> tuple[int, int]:
    """Create the graph ``tables`` describe, with its indexes and constraints; return the
    nodes and relationships the engine created. ``on_progress(table, rows)`` is called as
    the engine takes each table's rows (rows so far; tables are named by
    falkor_bulk_format.table_name).

    Raises GraphNotEmpty (the graph holds a node: nothing is changed), BulkValueError (a
    table holds what GRAPH.BULK cannot carry: says which file, line and why),
    GraphQueryError or GraphUnavailable (the engine refused or went away); after any of
    the last three no graph is left."""
    await _make_room(store)
    commands = iter(CommandStream(tables, max_command_bytes))
    nodes = relationships = 0
    try:
        command = await asyncio.to_thread(next, commands, None)
        while command is not None:
            # Both finish before either's error is raised: a cleanup must not race a send.
            sent, following = await asyncio.gather(
                _send(store, command),
                asyncio.to_thread(next, commands, None),
                return_exceptions=True,
            )
            for outcome in (sent, following):
                if isinstance(outcome, BaseException):
                    raise outcome
            assert isinstance(sent, tuple) and not isinstance(following, BaseException)
            nodes, relationships = nodes + sent[0], relationships + sent[1]
            if on_progress is not None:
                for table, rows in command.progress:
                    on_progress(table, rows)
            command = following
    except BaseException:
        with contextlib.suppress(GraphError):
            await store.execute_command("GRAPH.DELETE", GRAPH_NAME)
        raise
    await migrate(store)
    return nodes, relationships


async def _make_room(store: FalkorStore) -> None:
    """Delete the graph if it exists and holds no node; raise GraphNotEmpty if it does."""
    if not await store.execute_command("EXISTS", GRAPH_NAME):
        return
    if not await graph_is_empty(store):
        raise GraphNotEmpty(
            "the graph already holds nodes, and a bulk import only creates a new graph: "
            "use hub seed or hub load to add to it, or bulk-load into a new data directory"
        )
    await store.execute_command("GRAPH.DELETE", GRAPH_NAME)


async def _send(store: FalkorStore, command: Command) -> tuple[int, int]:
    """Run one GRAPH.BULK command; return the nodes and relationships it created."""
    reply = await store.execute_command("GRAPH.BULK", GRAPH_NAME, *command.args())
    return _created(str(reply))


def _created(reply: str) -> tuple[int, int]:
    """The counts in GRAPH.BULK's reply, "N nodes created, M edges created"."""
    try:
        nodes, relationships = (int(part.split()[0]) for part in reply.split(","))
    except ValueError as e:
        raise GraphQueryError(f"GRAPH.BULK answered {reply!r}") from e
    return nodes, relationships
