"""Both engines, for real: a Neo4j (the session's `neo4j_uri`, tests/conftest.py) and the
embedded FalkorDB in a temporary directory.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from graph.audit import INSERT_AUDIT_ENTRIES, INSERT_AUDIT_ENTRY
from graph.migrations import migrate
from graph.store import GraphStore, Params, Record, StoreWrapper, WriteCounters, open_store
from tests.conftest import neo4j_auth

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ["neo4j", "embedded"]


@pytest.fixture(scope="session")
async def neo4j_store(neo4j_uri: str) -> AsyncIterator[GraphStore]:
    async with open_store(neo4j_uri, neo4j_auth=neo4j_auth()) as s:
        await migrate(s)
        yield s


@pytest.fixture(scope="session")
async def embedded_store(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GraphStore]:
    data_dir = tmp_path_factory.mktemp("embedded")
    async with open_store(f"embedded://{data_dir}") as s:
        await migrate(s)
        yield s


class CountingStore(StoreWrapper):
    """Wraps a real store and counts the statements sent through it. The audit entry a
    request writes at its end (schema/guard.py) is counted apart, in ``audit_writes``, so
    ``statements`` says what the request itself needed."""

    def __init__(self, inner: GraphStore) -> None:
        super().__init__(inner)
        self.statements: list[str] = []
        self.audit_writes: list[str] = []

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        self.statements.append(query)
        return await self.inner.read(query, params)

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        audit = query in (INSERT_AUDIT_ENTRY, INSERT_AUDIT_ENTRIES)
        (self.audit_writes if audit else self.statements).append(query)
        return await self.inner.write(query, params)

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        self.statements.append(query)
        return await self.inner.write_returning(query, params)


@pytest.fixture(params=ENGINES)
def engine_store(request: pytest.FixtureRequest) -> GraphStore:
    """The session's store of the engine this test id names ([neo4j] or [embedded])."""
    store: GraphStore = request.getfixturevalue(f"{request.param}_store")
    return store


@pytest.fixture
async def store(engine_store: GraphStore) -> CountingStore:
    """An empty graph (constraints in place) on each engine, its statements counted."""
    await engine_store.write("MATCH (n) DETACH DELETE n")
    return CountingStore(engine_store)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
