"""A statement that runs past the store's query timeout is stopped by the engine and
answered as QueryTimedOut (not as a failed statement), on both engines; through the API
as QUERY_TIMEOUT with what to do about it, never as INTERNAL."""

import pytest

from graph.errors import QueryTimedOut
from graph.falkor_store import FalkorStore
from graph.neo4j_store import Neo4jStore
from graph.store import StoreWrapper
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema

SCHEMA = build_schema()
ANALYST = Principal("key:analyst-1", Role.ANALYST)

# Long enough for either engine to pass a 50 ms timeout many times over.
SLOW = "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"


def impatient(store, timeout_s: float):
    """A store over the same engine whose queries time out after ``timeout_s``."""
    inner = store.inner
    if isinstance(inner, Neo4jStore):
        return Neo4jStore(inner._driver, inner._database, timeout_s)
    assert isinstance(inner, FalkorStore)
    return FalkorStore(inner._pool, timeout_s)


async def test_a_slow_statement_times_out(store):
    quick = impatient(store, 0.05)
    with pytest.raises(QueryTimedOut) as raised:
        await quick.read(SLOW)
    assert raised.value.timeout_s == pytest.approx(0.05)
    # The engine is fine afterwards (asked with the session's timeout: 50 ms can pass in
    # a queue on a loaded machine).
    assert (await store.read("RETURN 1 AS one"))[0]["one"] == 1


class _Stopped(StoreWrapper):
    """The real engine, each of whose reads runs past a 50 ms timeout and is stopped."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.quick = impatient(self, 0.05)

    async def read(self, query, params=None):
        return await self.quick.read(SLOW)


async def test_the_api_says_the_query_took_too_long(store):
    result = await SCHEMA.execute(
        "{ customers(first: 5) { totalCount } }",
        context_value=Context(_Stopped(store.inner), ANALYST),
    )
    assert [(e.message, e.extensions) for e in result.errors or []] == [(
        "the query took longer than the 0.05 s limit and was stopped; ask for less (fewer "
        "brands, a narrower period, a smaller page), or ask an admin to raise "
        "HUB_QUERY_TIMEOUT_S",
        {"code": "LIMIT_EXCEEDED", "limit": "time"},
    )]  # fmt: skip
