"""The one interface both engines implement, and how to open one from a URL."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from enum import StrEnum
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


class EngineHealth(StrEnum):
    """Whether the engine can serve: UP; RECOVERING (it died and is being restarted);
    FAILED (it cannot be brought back, or keeps dying: restart the hub)."""

    UP = "up"
    RECOVERING = "recovering"
    FAILED = "failed"


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

    def health(self) -> EngineHealth:
        """What the hub knows of the engine without asking it (no I/O)."""
        ...

    def retry_after_s(self) -> int:
        """Seconds a client should wait before retrying while the engine is not UP."""
        ...

    async def compact(self) -> None:
        """After a bulk load: fold the engine's write log so the next start is quick
        (the embedded engine rewrites its append-only file; a no-op on Neo4j)."""
        ...

    async def close(self) -> None: ...


class StoreWrapper:
    """A GraphStore that passes every call to ``inner``: the base of wrappers that watch
    some calls (tests count statements, benchmarks time them) and override only those."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.engine = inner.engine

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        return await self.inner.read(query, params)

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        return await self.inner.write(query, params)

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        return await self.inner.write_returning(query, params)

    async def ping(self) -> None:
        await self.inner.ping()

    def health(self) -> EngineHealth:
        return self.inner.health()

    def retry_after_s(self) -> int:
        return self.inner.retry_after_s()

    async def compact(self) -> None:
        await self.inner.compact()

    async def close(self) -> None:
        await self.inner.close()


@asynccontextmanager
async def open_store(
    url: str,
    *,
    neo4j_auth: tuple[str, str] | None = None,
    neo4j_database: str = "neo4j",
    query_timeout_s: float = 30.0,
    embedded_fsync: str = "everysec",
    embedded_share: bool = True,
) -> AsyncIterator[GraphStore]:
    """Open the engine named by ``url`` for the life of the context and close it after.

    An embedded engine already running for the directory is attached to when
    ``embedded_share`` (every command but the server); one this call starts is supervised
    (restarted when it dies) and stopped at the end.

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
        return
    import asyncio

    from graph.embedded import EmbeddedEngine
    from graph.falkor_store import FalkorStore
    from graph.supervisor import EngineSupervisor

    assert target.data_dir is not None
    engine = EmbeddedEngine(
        target.data_dir,
        fsync=embedded_fsync,
        share=embedded_share,
    )
    with engine:
        supervisor = EngineSupervisor(engine) if engine.owned else None
        falkor = await FalkorStore.connect(
            engine.socket_path, timeout_s=query_timeout_s, supervisor=supervisor
        )
        watch = asyncio.create_task(supervisor.run()) if supervisor is not None else None
        try:
            yield falkor
        finally:
            if watch is not None and supervisor is not None:
                watch.cancel()
                await asyncio.gather(watch, return_exceptions=True)
                await supervisor.wait_idle()
            await falkor.close()
