"""GraphStore over the embedded FalkorDB engine."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from falkordb.asyncio import FalkorDB
from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, UnixDomainSocketConnection

from graph.embedded import rewrite_finished
from graph.errors import GraphQueryError, GraphUnavailable, QueryTimedOut
from graph.store import EngineHealth, Params, Record, WriteCounters

if TYPE_CHECKING:
    from graph.supervisor import EngineSupervisor

GRAPH_NAME = "hub"
POOL_SIZE = 16
COMPACT_TIMEOUT_S = 1800.0
REPLACE_ATTEMPTS = 20
# How the engine answers a statement it stopped at the query's timeout.
TIMED_OUT = "Query timed out"


def _plain(value: Any) -> Any:
    """FalkorDB returns OrderedDicts and may return Node objects; callers get plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    props = getattr(value, "properties", None)
    if isinstance(props, dict):
        return _plain(props)
    return value


def _rows(header: Sequence[Any], result_set: Sequence[Sequence[Any]]) -> list[Record]:
    names = [h[1] if isinstance(h, list | tuple) else h for h in header]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    return [dict(zip(names, map(_plain, row), strict=True)) for row in result_set]


def _counters(result: Any) -> WriteCounters:
    return WriteCounters(
        nodes_created=int(result.nodes_created),
        nodes_deleted=int(result.nodes_deleted),
        relationships_created=int(result.relationships_created),
        relationships_deleted=int(result.relationships_deleted),
        properties_set=int(result.properties_set),
        labels_added=int(result.labels_added),
    )


class FalkorStore:
    """One connection pool over the engine's unix socket, one named graph."""

    engine = "embedded"

    def __init__(
        self,
        pool: BlockingConnectionPool,
        timeout_s: float,
        supervisor: "EngineSupervisor | None" = None,
    ) -> None:
        self._pool = pool
        self._supervisor = supervisor
        self._db = FalkorDB(connection_pool=pool)
        self.graph = self._db.select_graph(GRAPH_NAME)
        self._timeout_ms = int(timeout_s * 1000)

    @classmethod
    async def connect(
        cls,
        socket_path: Any,
        *,
        timeout_s: float,
        supervisor: "EngineSupervisor | None" = None,
    ) -> "FalkorStore":
        pool = BlockingConnectionPool(
            connection_class=UnixDomainSocketConnection,
            path=str(socket_path),
            max_connections=POOL_SIZE,
            timeout=timeout_s,
            # The client's own socket timeout (5 s by default) would cut long reads short
            # as "unavailable"; let the engine's query timeout answer first.
            socket_timeout=timeout_s + 5,
            decode_responses=True,
        )
        store = cls(pool, timeout_s, supervisor)
        try:
            await store.ping()
        except BaseException:
            await pool.aclose()
            raise
        return store

    def health(self) -> EngineHealth:
        return self._supervisor.health if self._supervisor is not None else EngineHealth.UP

    def retry_after_s(self) -> int:
        return self._supervisor.retry_after_s() if self._supervisor is not None else 1

    def _refuse_while_recovering(self) -> None:
        # Fail at once rather than wait on reconnects to an engine known to be down.
        if self.health() is EngineHealth.RECOVERING:
            raise GraphUnavailable("the embedded engine is restarting")

    async def _query(self, query: str, params: Params | None, read_only: bool) -> Any:
        self._refuse_while_recovering()
        try:
            if read_only:
                return await self.graph.ro_query(query, dict(params or {}), self._timeout_ms)
            return await self.graph.query(query, dict(params or {}), self._timeout_ms)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as e:
            raise GraphUnavailable(f"the embedded engine is not reachable: {e}") from e
        except redis_errors.ResponseError as e:
            raise self._refused(e) from e

    def _refused(self, error: redis_errors.ResponseError) -> GraphQueryError:
        """The engine's refusal as ours: QueryTimedOut when it stopped the statement at
        the query timeout."""
        if str(error).startswith(TIMED_OUT):
            return QueryTimedOut(str(error), self._timeout_ms / 1000)
        return GraphQueryError(str(error))

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        result = await self._query(query, params, read_only=True)
        return _rows(result.header, result.result_set)

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        return _counters(await self._query(query, params, read_only=False))

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        result = await self._query(query, params, read_only=False)
        return _rows(result.header, result.result_set), _counters(result)

    async def execute_command(self, *args: Any) -> Any:
        """Run a raw engine command (used only by the dialect for constraint DDL)."""
        try:
            return await self._db.connection.execute_command(*args)
        except (redis_errors.ConnectionError, OSError) as e:
            raise GraphUnavailable(f"the embedded engine is not reachable: {e}") from e
        except redis_errors.ResponseError as e:
            raise self._refused(e) from e

    async def replace_graph(self, source: str, check: Callable[[], Awaitable[None]]) -> None:
        """Rename the graph ``source`` to this store's graph, replacing what is there, once
        ``check()`` has passed with no write to this store's graph between the check and
        the rename (WATCH: a write in between makes it check again). Then forget the
        client's cached label and property names: the new graph numbers them anew.

        Raises what ``check`` raises, GraphUnavailable, GraphQueryError (also when writes
        keep coming in between)."""
        self._refuse_while_recovering()
        for _ in range(REPLACE_ATTEMPTS):
            try:
                async with self._db.connection.pipeline() as pipe:
                    await pipe.watch(GRAPH_NAME)
                    await check()
                    pipe.multi()
                    pipe.rename(source, GRAPH_NAME)
                    await pipe.execute()
            except redis_errors.WatchError:
                continue
            except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as e:
                raise GraphUnavailable(f"the embedded engine is not reachable: {e}") from e
            except redis_errors.ResponseError as e:
                raise GraphQueryError(str(e)) from e
            self.graph.schema.clear()
            return
        raise GraphQueryError(f"the graph was written to during each of {REPLACE_ATTEMPTS} tries")

    async def compact(self) -> None:
        """Rewrite the append-only file as an RDB base (in the engine's background) and
        wait until it is done, so that the next start loads a snapshot."""
        try:
            await self.execute_command("BGREWRITEAOF")
        except GraphQueryError as e:
            if "already in progress" not in str(e):
                raise
        deadline = time.monotonic() + COMPACT_TIMEOUT_S
        while time.monotonic() < deadline:
            if rewrite_finished(await self.execute_command("INFO", "persistence")):
                return
            await asyncio.sleep(0.05)
        raise GraphQueryError("the engine's append-only file rewrite did not finish")

    async def ping(self) -> None:
        self._refuse_while_recovering()
        try:
            await self._db.connection.ping()
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as e:
            raise GraphUnavailable(f"the embedded engine is not reachable: {e}") from e

    async def close(self) -> None:
        await self._pool.aclose()
