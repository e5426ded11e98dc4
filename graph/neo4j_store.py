"""GraphStore over Neo4j through the official async driver."""

from typing import Any, cast

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, unit_of_work
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.errors import GraphQueryError, GraphUnavailable, QueryTimedOut
from graph.store import EngineHealth, Params, Record, WriteCounters


def _reason(e: BaseException) -> str:
    """The driver's message on one line (it spans several), for one-line CLI errors."""
    return f"{type(e).__name__}: {' '.join(str(e).split())}"


def _counters(summary: neo4j.ResultSummary) -> WriteCounters:
    c = summary.counters
    return WriteCounters(
        nodes_created=c.nodes_created,
        nodes_deleted=c.nodes_deleted,
        relationships_created=c.relationships_created,
        relationships_deleted=c.relationships_deleted,
        properties_set=c.properties_set,
        labels_added=c.labels_added,
    )


async def _run(
    tx: AsyncManagedTransaction, query: str, params: Params
) -> tuple[list[Record], WriteCounters]:
    # Transaction functions may be retried by the driver: they only run one statement.
    result = await tx.run(query, dict(params))
    # Statements return maps, lists and scalars (map projections, never bare nodes), which
    # arrive as plain Python values: Record.data()'s recursive conversion cost more than
    # the rest of a customer-360's store time, for nothing.
    rows = [dict(record) async for record in result]
    summary = await result.consume()
    return rows, _counters(summary)


class Neo4jStore:
    """One driver per process; the database name goes with every call."""

    engine = "neo4j"

    def __init__(self, driver: neo4j.AsyncDriver, database: str, timeout_s: float) -> None:
        self._driver = driver
        self._database = database
        self._tx = unit_of_work(timeout=timeout_s)(_run)
        self._timeout_s = timeout_s

    @classmethod
    async def connect(
        cls, uri: str, *, auth: tuple[str, str] | None, database: str, timeout_s: float
    ) -> "Neo4jStore":
        """Open a driver and check it reaches the server; raise GraphUnavailable if not."""
        try:
            driver = AsyncGraphDatabase.driver(
                uri,
                auth=auth,
                connection_acquisition_timeout=timeout_s,
                connection_timeout=min(timeout_s, 10.0),
                # Deprecation notices would otherwise surface as log noise per query.
                notifications_min_severity="OFF",
            )
        except ValueError as e:
            raise GraphUnavailable(f"cannot use Neo4j URL {uri!r}: {e}") from e
        store = cls(driver, database, timeout_s)
        try:
            await store.ping()
        except BaseException:
            await driver.close()
            raise
        return store

    async def _execute(self, access: str, query: str, params: Params | None) -> Any:
        try:
            async with self._driver.session(
                database=self._database, default_access_mode=access
            ) as session:
                if access == neo4j.READ_ACCESS:
                    return await session.execute_read(self._tx, query, params or {})
                return await session.execute_write(self._tx, query, params or {})
        except (ServiceUnavailable, SessionExpired, AuthError, OSError) as e:
            raise GraphUnavailable(f"Neo4j is not reachable: {_reason(e)}") from e
        except Neo4jError as e:
            if "TransactionTimedOut" in (e.code or ""):
                raise QueryTimedOut(f"{e.code}: {e.message}", self._timeout_s) from e
            raise GraphQueryError(f"{e.code}: {e.message}") from e

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        rows, _ = await self._execute(neo4j.READ_ACCESS, query, params)
        return cast(list[Record], rows)

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        _, counters = await self._execute(neo4j.WRITE_ACCESS, query, params)
        return cast(WriteCounters, counters)

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        return cast(
            tuple[list[Record], WriteCounters],
            await self._execute(neo4j.WRITE_ACCESS, query, params),
        )

    def health(self) -> EngineHealth:
        # The server is not ours to restart: readiness (ping) says whether it answers.
        return EngineHealth.UP

    def retry_after_s(self) -> int:
        return 1

    async def compact(self) -> None:
        """Nothing to do: Neo4j checkpoints its own transaction log."""

    async def ping(self) -> None:
        try:
            await self._driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, AuthError, OSError, ValueError) as e:
            raise GraphUnavailable(f"Neo4j is not reachable: {_reason(e)}") from e
        except Neo4jError as e:
            raise GraphUnavailable(f"Neo4j refused the connection: {e.code}: {e.message}") from e

    async def close(self) -> None:
        await self._driver.close()
