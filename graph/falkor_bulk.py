"""Bulk tables (graph/bulk.py) into the embedded engine with FalkorDB's ``GRAPH.BULK``:
the fast way to a large new graph (`hub seed --bulk`).

GRAPH.BULK builds a graph that does not exist yet (its first command, ``BEGIN``, fails
on an existing key), and relationships name their ends by the engine's internal node
ids, which count the nodes in creation order: a node another client creates between two
commands would shift every id after it. So the commands build a graph of the import's
own, ``hub.bulk.<pid>``, that no other client knows, and only the finished graph replaces
the hub's, in one step (FalkorStore.replace_graph), when the hub's graph holds no node;
it usually exists, holding the indexes and constraints `hub seed` and `hub serve` create
at start. Then the migrations run: they build every index and constraint over the loaded
data, and compact the engine's log, which folds the bulk commands into its snapshot.

A refused or failed import leaves the hub's graph as it was and deletes its own; one
killed midway leaves its graph behind, deleted by the next import once its process is
gone (one process runs one import at a time). A hub serving from the same engine keeps
label and property names cached by the old graph's ids: restart it after an import.

The encoding (graph/falkor_bulk_format.py) runs in a worker thread while the previous
command is in the engine: reading and packing the files overlaps with the engine's work.
"""

import asyncio
import contextlib
import os
from collections.abc import Callable

from graph.bulk import BulkTables
from graph.embedded import pid_alive
from graph.errors import GraphError, GraphNotEmpty, GraphQueryError
from graph.falkor_bulk_format import MAX_COMMAND_BYTES, Command, CommandStream
from graph.falkor_store import GRAPH_NAME, FalkorStore
from graph.fresh_writes import graph_is_empty
from graph.migrations import migrate

Progress = Callable[[str, int], None]
IMPORT_PREFIX = f"{GRAPH_NAME}.bulk."


async def bulk_insert(
    store: FalkorStore,
    tables: BulkTables,
    on_progress: Progress | None = None,
    *,
    max_command_bytes: int = MAX_COMMAND_BYTES,
) -> tuple[int, int]:
    """Make the graph ``tables`` describe the hub's graph, with its indexes and
    constraints; return the nodes and relationships the engine created.
    ``on_progress(table, rows)`` is called as the engine takes each table's rows (rows so
    far; tables are named by falkor_bulk_format.table_name).

    Raises GraphNotEmpty (the hub's graph holds a node, before or after the load),
    BulkValueError (a table holds what GRAPH.BULK cannot carry: says which file, line and
    why), GraphQueryError or GraphUnavailable (the engine refused or went away); the hub's
    graph is left as it was after any of them."""
    await _no_node(store)
    await _drop_abandoned_imports(store)
    name = f"{IMPORT_PREFIX}{os.getpid()}"
    try:
        created = await _load(store, name, tables, on_progress, max_command_bytes)
        if created != (0, 0):  # else no command was sent: there is no graph to rename
            await store.replace_graph(name, lambda: _no_node(store))
    except BaseException:
        with contextlib.suppress(GraphError):
            await store.execute_command("GRAPH.DELETE", name)
        raise
    await migrate(store)
    return created


async def _load(
    store: FalkorStore,
    name: str,
    tables: BulkTables,
    on_progress: Progress | None,
    max_command_bytes: int,
) -> tuple[int, int]:
    """Send every command into the graph ``name``; return what the engine created."""
    commands = iter(CommandStream(tables, max_command_bytes))
    nodes = relationships = 0
    command = await asyncio.to_thread(next, commands, None)
    while command is not None:
        # Both finish before either's error is raised: a cleanup must not race a send.
        sent, following = await asyncio.gather(
            _send(store, name, command),
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
    return nodes, relationships


async def _no_node(store: FalkorStore) -> None:
    """Raise GraphNotEmpty if the hub's graph holds a node."""
    # FalkorDB refuses reads of a graph no write has created yet: such a graph has nothing.
    if await store.execute_command("EXISTS", GRAPH_NAME) and not await graph_is_empty(store):
        raise GraphNotEmpty(
            "the graph already holds nodes, and a bulk import only creates a new graph: "
            "use hub seed or hub load to add to it, or bulk-load into a new data directory"
        )


async def _drop_abandoned_imports(store: FalkorStore) -> None:
    """Delete the graphs of imports whose process is gone (killed midway), and one this
    process left (it runs one import at a time)."""
    for graph in await store.execute_command("GRAPH.LIST"):
        pid = graph.removeprefix(IMPORT_PREFIX)
        if not graph.startswith(IMPORT_PREFIX) or not pid.isdigit():
            continue
        if int(pid) == os.getpid() or not pid_alive(int(pid)):
            await store.execute_command("GRAPH.DELETE", graph)


async def _send(store: FalkorStore, name: str, command: Command) -> tuple[int, int]:
    """Run one GRAPH.BULK command; return the nodes and relationships it created."""
    reply = await store.execute_command("GRAPH.BULK", name, *command.args())
    return _created(str(reply))


def _created(reply: str) -> tuple[int, int]:
    """The counts in GRAPH.BULK's reply, "N nodes created, M edges created"."""
    try:
        nodes, relationships = (int(part.split()[0]) for part in reply.split(","))
    except ValueError as e:
        raise GraphQueryError(f"GRAPH.BULK answered {reply!r}") from e
    return nodes, relationships
