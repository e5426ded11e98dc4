"""Which path runs a network algorithm (resolvers/network_algorithms.py), on a fake store;
that the engines' answers agree with the hub's is tested on the real ones
(tests/integration/test_network_algorithms.py)."""

from typing import Any

import pytest

from graph import network_algorithms as qa
from resolvers.context import Context
from resolvers.network_algorithms import path_for
from resolvers.principal import Principal, Role

APP = Principal("app", Role.APP)


class FakeStore:
    """Answers the two questions the choice asks: is anything hidden, which GDS
    procedures exist; records what was asked."""

    def __init__(self, engine: str, hidden: bool = False, gds: list[str] | None = None) -> None:
        self.engine, self.hidden, self.gds = engine, hidden, gds or []
        self.asked: list[str] = []

    async def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.asked.append(query)
        if query == qa.RESTRICTED_PRESENT:
            return [{"present": self.hidden}]
        if query == qa.GDS_PROCEDURES:
            return [{"names": self.gds}]
        raise AssertionError(f"unexpected statement {query!r}")


def context(store: FakeStore, algorithms: str = "auto") -> Context:
    return Context(store, APP, network_algorithms=algorithms)


@pytest.mark.parametrize(
    ("store", "algorithm", "path"),
    [
        (FakeStore("embedded"), "pagerank", "embedded"),
        (FakeStore("embedded", hidden=True), "pagerank", "hub"),  # its procedure sees all
        (FakeStore("embedded"), "louvain", "hub"),  # no procedure for the account graph
        (FakeStore("neo4j", gds=sorted(qa.GDS_NEEDED)), "pagerank", "gds"),
        (FakeStore("neo4j", gds=sorted(qa.GDS_NEEDED)), "louvain", "gds"),
        (FakeStore("neo4j", gds=["gds.pageRank.stream"]), "louvain", "hub"),  # incomplete
        (FakeStore("neo4j"), "pagerank", "hub"),
    ],
)
async def test_auto_runs_in_the_engine_where_it_can(store, algorithm, path):
    assert await path_for(context(store), algorithm) == path


async def test_hub_asks_the_engine_nothing():
    for engine in ("embedded", "neo4j"):
        store = FakeStore(engine, gds=sorted(qa.GDS_NEEDED))
        assert await path_for(context(store, "hub"), "pagerank") == "hub"
        assert store.asked == []


async def test_gds_is_looked_up_once_a_request():
    store = FakeStore("neo4j", gds=sorted(qa.GDS_NEEDED))
    ctx = context(store)
    assert [await path_for(ctx, a) for a in ("pagerank", "louvain")] == ["gds", "gds"]
    assert store.asked == [qa.GDS_PROCEDURES]
