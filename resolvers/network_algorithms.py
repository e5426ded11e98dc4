"""Where community detection and account PageRank run: in the engine when it has the
algorithm for that graph, else in the hub (networkx, in a worker process), which is
also the reference both engines are checked against (docs/network.md, "Where the
algorithms run").

`HUB_NETWORK_ALGORITHMS` picks: `auto` (the default) uses the engine's procedures where
they compute on the same graph, `hub` always computes in the hub.

| algorithm | embedded (FalkorDB) | Neo4j with GDS | Neo4j without GDS |
|---|---|---|---|
| PageRank over follows | `algo.pageRank` | `gds.pageRank.stream` | hub |
| communities (Louvain) | hub (see graph/network_algorithms.py) | `gds.louvain` | hub |
"""

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from graph import network_algorithms as qa
from graph.store import Record
from resolvers.account_rank import page_rank
from resolvers.communities import Community, group_communities
from resolvers.context import Context

NetworkAlgorithms = Literal["auto", "hub"]
NETWORK_ALGORITHMS: tuple[NetworkAlgorithms, ...] = ("auto", "hub")
MAX_FOLLOW_EDGES = 400_000  # for the hub's PageRank, like the communities' two kinds
Path = Literal["hub", "embedded", "gds"]
ALGORITHM_NAMES = {
    ("pagerank", "hub"): "hub:networkx.pagerank",
    ("pagerank", "embedded"): "embedded:algo.pageRank",
    ("pagerank", "gds"): "neo4j:gds.pageRank",
    ("louvain", "hub"): "hub:networkx.louvain",
    ("louvain", "gds"): "neo4j:gds.louvain",
}


@dataclass(frozen=True)
class AccountRanking:
    """Accounts by PageRank, best first: `accounts` as records {account, customer,
    score}; `algorithm` says where it ran; `truncated` when the hub's edge cap cut the
    input."""

    accounts: list[Record]
    algorithm: str
    truncated: bool


async def _read(ctx: Context, query: str, params: dict[str, Any] | None = None) -> list[Record]:
    """A statement with the caller's restriction rule (graph/restriction.py)."""
    return await ctx.store.read(
        query, {**(params or {}), "include_restricted": ctx.principal.sees_restricted}
    )


async def has_gds(ctx: Context) -> bool:
    """Whether the Neo4j server has the GDS procedures these paths call (once a request)."""

    async def probe() -> bool:
        rows = await ctx.store.read(qa.GDS_PROCEDURES)
        return set(rows[0]["names"]) >= qa.GDS_NEEDED if rows else False

    return await ctx.once("gds_procedures", probe)


async def path_for(ctx: Context, algorithm: Literal["pagerank", "louvain"]) -> Path:
    """Where ``algorithm`` runs for this request (see the module's table)."""
    if ctx.network_algorithms == "hub":
        return "hub"
    if ctx.store.engine == "embedded":
        if algorithm != "pagerank":
            return "hub"
        # FalkorDB's procedure sees every account: only while none is hidden.
        rows = await _read(ctx, qa.RESTRICTED_PRESENT)
        return "hub" if rows and rows[0]["present"] else "embedded"
    return "gds" if await has_gds(ctx) else "hub"


async def _projected(
    ctx: Context, project: str, steps: Sequence[str], params: dict[str, Any]
) -> list[list[Record]]:
    """The rows of each of ``steps`` run on the GDS projection ``project`` builds, under
    a name of this call's own; the projection is dropped afterwards, even on error or
    cancellation (it holds the graph in the server's heap)."""
    named = {**params, "graph": f"hub-{uuid.uuid4().hex}"}
    try:
        await _read(ctx, project, named)
        return [await _read(ctx, step, named) for step in steps]
    finally:
        # Shielded: a cancelled request still drops its projection.
        await asyncio.shield(ctx.store.read(qa.GDS_DROP, {"graph": named["graph"]}))


async def account_ranking(ctx: Context, top: int) -> AccountRanking:
    """The best ``top`` accounts by PageRank over follows between accounts."""
    path = await path_for(ctx, "pagerank")
    name = ALGORITHM_NAMES[("pagerank", path)]
    if path == "embedded":
        rows = await _read(ctx, qa.EMBEDDED_PAGE_RANK, {"top": top})
        return AccountRanking(_scored(rows), name, truncated=False)
    if path == "gds":
        (rows,) = await _projected(ctx, qa.GDS_PROJECT_FOLLOWS, [qa.GDS_PAGE_RANK], {"top": top})
        return AccountRanking(_scored(rows), name, truncated=False)
    edges = await _read(ctx, qa.FOLLOW_EDGES, {"max_edges": MAX_FOLLOW_EDGES})
    ranked = await ctx.compute.run(page_rank, [(r["a"], r["b"]) for r in edges], top)
    found = await _read(ctx, qa.ACCOUNTS_BY_KEY, {"ids": [key for key, _ in ranked]})
    by_key = {r["account"]["id"]: r for r in found}
    accounts = [
        {**by_key[key], "score": score} for key, score in ranked if key in by_key
    ]  # an account deleted meanwhile is left out
    return AccountRanking(accounts, name, truncated=len(edges) >= MAX_FOLLOW_EDGES)


def _scored(rows: list[Record]) -> list[Record]:
    return [{**r, "score": float(r["score"])} for r in rows]


async def gds_communities(ctx: Context) -> list[Community]:
    """Louvain communities of the account graph computed by GDS (uncapped)."""
    _, members, weights = await _projected(
        ctx,
        qa.GDS_PROJECT_ACCOUNT_GRAPH,
        [qa.GDS_LOUVAIN, qa.GDS_MEMBERS, qa.GDS_INTERNAL_WEIGHTS],
        {},
    )
    return group_communities(
        ((r["account"], int(r["community"]), r["customer"]) for r in members),
        {int(r["community"]): float(r["weight"]) for r in weights},
    )
