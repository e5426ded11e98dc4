"""The one interface both engines implement, and how to open one from a URL."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from typing import Any, Protocol

from graph.url import parse_graph_url

Record = dict[str, Any]
Params = Mapping[str, Any]


@dataclass(frozen=True)
class WriteCounters:
    """What a write statement changed, normalised across engines."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    labels_added: int = 0

    def __add__(self, other: "WriteCounters") -> "WriteCounters":
        return WriteCounters(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


class GraphStore(Protocol):
    """A connection to one graph. Statements come from the catalog in graph/."""

    engine: str

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        """Run a read-only statement (READ routing); return its rows as plain dicts."""
        ...

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        """Run a statement in a managed write transaction; return what it changed."""
        ...

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        """Like write(), but also return the statement's rows."""
        ...

    async def ping(self) -> None:
        """Raise GraphUnavailable unless the database answers a trivial query."""
        ...

    async def close(self) -> None: ...


@asynccontextmanager
async def open_store(
    url: str,
    *,
    neo4j_auth: tuple[str, str] | None = None,
    neo4j_database: str = "neo4j",
    query_timeout_s: float = 30.0,
) -> AsyncIterator[GraphStore]:
    """Open the engine named by ``url`` for the life of the context and close it after.

    Raises InvalidGraphUrl, GraphUnavailable (Neo4j not reachable) or EngineStartError.
    """
    target = parse_graph_url(url)
    if target.engine == "neo4j":
        from graph.neo4j_store import Neo4jStore

        store: GraphStore = await Neo4jStore.connect(
            target.uri, auth=neo4j_auth, database=neo4j_database, timeout_s=query_timeout_s
        )
        try:
            yield store
        finally:
            await store.close()
    else:
        from graph.embedded import EmbeddedEngine
        from graph.falkor_store import FalkorStore

        assert target.data_dir is not None
        with EmbeddedEngine(target.data_dir) as engine:
            falkor = await FalkorStore.connect(engine.socket_path, timeout_s=query_timeout_s)
            try:
                yield falkor
            finally:
                await falkor.close()
