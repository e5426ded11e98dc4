"""Network algorithms in the engine against the hub's networkx reference, on both engines
(docs/network.md, "Where the algorithms run"): the same top accounts and PageRank ranks
correlated (Spearman >= 0.95), the same communities up to labelling; restricted
customers' accounts are never ranked, and shape no engine's answer."""

from typing import Any

import pytest
from scipy.stats import spearmanr

from graph import network_algorithms as qa
from graph import subject
from loaders.pipeline import write_records
from resolvers.context import Context
from tests.integration.network_graph import at, load_network
from tests.integration.test_customer360 import ADMIN, APP, SCHEMA

N = 24  # accounts a00..a23, each linked to customer c00..c23


def _follows() -> list[tuple[int, int]]:
    """A ring (every account followed once), three hubs of unequal pull, and a hub that
    follows back: distinct in-degrees, so ranks are not decided by ties."""
    ring = [(i, (i + 1) % N) for i in range(N)]
    hubs = [(i, 0) for i in range(2, 12)] + [(i, 5) for i in range(12, 18)]
    return ring + hubs + [(i, 9) for i in range(18, 21)] + [(0, 13), (0, 0)]


def _key(i: int) -> str:
    return f"a{i:02d}"


async def load_follow_graph(store: Any) -> None:
    now = at(6, 1)
    await write_records(store, "brands", [{"id": "bX", "name": "X", "category": "home"}], now)
    customers = [{"id": f"c{i:02d}", "name": f"C{i}", "country": "CN"} for i in range(N)]
    await write_records(store, "customers", customers, now)
    accounts = [
        {"id": _key(i), "platform": "weibo", "handle": f"@{_key(i)}", "customer_id": f"c{i:02d}"}
        for i in range(N)
    ]
    await write_records(store, "social_accounts", accounts, now)
    follows = [
        {"account_id": _key(a), "target_kind": "account", "target_id": _key(b), "since": now}
        for a, b in _follows()
    ]
    # Follows of a brand are no account edge: every account follows bX.
    follows += [
        {"account_id": _key(i), "target_kind": "brand", "target_id": "bX", "since": now}
        for i in range(N)
    ]
    await write_records(store, "follows", follows, now)


QUERY = """{ accountRank { algorithm truncated
  accounts(first: 100) { totalCount nodes { rank customerId score account { accountId } } } } }"""


async def ranked(store: Any, algorithms: str, principal: Any = ADMIN) -> dict[str, Any]:
    context = Context(store, principal, max_page_size=100, network_algorithms=algorithms)
    result = await SCHEMA.execute(QUERY, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    data: dict[str, Any] = result.data["accountRank"]
    return data


def scores(data: dict[str, Any]) -> dict[str, float]:
    return {n["account"]["accountId"]: n["score"] for n in data["accounts"]["nodes"]}


async def test_page_rank_in_the_engine_agrees_with_the_hub(store, engine_store):
    await load_follow_graph(store)
    hub = await ranked(store, "hub")
    engine = await ranked(store, "auto")
    assert hub["algorithm"] == "hub:networkx.pagerank"
    assert engine["algorithm"] == {
        "embedded": "embedded:algo.pageRank", "neo4j": "neo4j:gds.pageRank"
    }[engine_store.engine]  # fmt: skip
    assert hub["truncated"] is engine["truncated"] is False
    by_hub, by_engine = scores(hub), scores(engine)
    # Every account has a follow: all are ranked, by both, a00 (ten followers) first.
    assert set(by_hub) == set(by_engine) == {_key(i) for i in range(N)}
    assert hub["accounts"]["nodes"][0]["account"]["accountId"] == "a00"
    assert engine["accounts"]["nodes"][0]["account"]["accountId"] == "a00"
    assert hub["accounts"]["nodes"][0]["customerId"] == "c00"
    accounts = sorted(by_hub)
    rho = spearmanr([by_hub[a] for a in accounts], [by_engine[a] for a in accounts]).statistic
    assert rho >= 0.95, rho
    top = [n["account"]["accountId"] for n in hub["accounts"]["nodes"][:3]]
    assert [n["account"]["accountId"] for n in engine["accounts"]["nodes"][:3]] == top


async def test_restricted_accounts_are_not_ranked_and_shape_no_ranking(store, engine_store):
    await load_follow_graph(store)
    await store.write(subject.RESTRICT, {"id": "c00", "restricted": True, "now": at(6, 2)})
    store.statements.clear()
    app = await ranked(store, "auto", APP)
    # a00 is hidden from the app: the ranking is the one of the graph without it, which
    # only the hub computes on FalkorDB (its procedure sees every account).
    assert "a00" not in scores(app)
    without = await ranked(store, "hub", APP)
    assert [n["account"]["accountId"] for n in app["accounts"]["nodes"]] == [
        n["account"]["accountId"] for n in without["accounts"]["nodes"]
    ]
    if engine_store.engine == "embedded":
        assert app["algorithm"] == "hub:networkx.pagerank"
        assert qa.EMBEDDED_PAGE_RANK not in store.statements
    admin = await ranked(store, "auto", ADMIN)  # admins see restricted customers
    assert admin["accounts"]["nodes"][0]["account"]["accountId"] == "a00"


COMMUNITIES = """{ communities(minSize: 1) { algorithm truncated communities(first: 50) {
  nodes { size internalWeight members(first: 50) { nodes { accountId customerId } } } } } }"""


async def test_communities_in_the_engine_agree_with_the_hub(store, engine_store):
    await load_network(store)
    found = {}
    for algorithms in ("hub", "auto"):
        context = Context(store, ADMIN, network_algorithms=algorithms)
        result = await SCHEMA.execute(COMMUNITIES, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        found[algorithms] = result.data["communities"]
    assert found["hub"]["algorithm"] == "hub:networkx.louvain"
    # FalkorDB's procedures cannot see the account graph (graph/network_algorithms.py).
    assert found["auto"]["algorithm"] == {
        "embedded": "hub:networkx.louvain", "neo4j": "neo4j:gds.louvain"
    }[engine_store.engine]  # fmt: skip

    def partition(data: dict[str, Any]) -> list[tuple[int, list[tuple[str, str | None]]]]:
        found = []
        for c in data["communities"]["nodes"]:
            members = [(m["accountId"], m["customerId"]) for m in c["members"]["nodes"]]
            found.append((c["internalWeight"], members))
        return found

    # The worked example of tests/integration/test_network.py: modularity's best split.
    expected = [
        (3, [("a1", "c1"), ("a1b", "c1"), ("a2", "c2")]),
        (4, [("a4", "c4"), ("a5", "c5"), ("a9", None)]),
    ]
    assert partition(found["hub"]) == expected
    assert partition(found["auto"]) == expected


async def test_a_gds_projection_is_dropped_after_use(store, engine_store):
    if engine_store.engine != "neo4j":
        pytest.skip("GDS projections exist on Neo4j only")
    await load_follow_graph(store)
    await ranked(store, "auto")
    listed = await store.read(
        "CALL gds.graph.list() YIELD graphName RETURN collect(graphName) AS g"
    )
    assert [g for g in listed[0]["g"] if g.startswith("hub-")] == []
