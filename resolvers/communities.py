"""Communities in the account graph: Louvain modularity (networkx), seeded.

Pure: the same edges and seed give the same communities, whatever order the edges came
in (they are sorted first), so both engines give the same answer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type hints


@dataclass(frozen=True)
class Community:
    """Accounts more densely tied to each other than to the rest."""

    members: tuple[tuple[str, str | None], ...]  # (account key, linked customer key), by key
    internal_weight: int  # follows + interactions between members

    @property
    def size(self) -> int:
        return len(self.members)


def detect_communities(
    edges: Iterable[tuple[str, str, int]], owners: Mapping[str, str | None], seed: int
) -> list[Community]:
    """Communities of the undirected graph whose edge weights are the summed counts of
    ``edges`` (a, b, count) between two accounts, largest first (ties: the smallest member
    key first). ``owners`` maps an account to its linked customer."""
    graph = nx.Graph()
    for a, b, n in sorted(edges):
        if a == b:
            continue
        weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
        graph.add_edge(a, b, weight=weight + n)
    if graph.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    found = []
    for part in parts:
        keys = sorted(part)
        inside = graph.subgraph(keys).size(weight="weight")
        found.append(
            Community(tuple((k, owners.get(k)) for k in keys), internal_weight=int(inside))
        )
    found.sort(key=lambda c: (-c.size, c.members[0][0]))
    return found


def group_communities(
    members: Iterable[tuple[str, int, str | None]], internal_weights: Mapping[int, float]
) -> list[Community]:
    """Communities from an engine's answer: ``members`` as (account key, community id,
    linked customer key) and each community's internal weight; ranked as
    detect_communities ranks them (largest first, ties: the smallest member key first)."""
    by_id: dict[int, list[tuple[str, str | None]]] = {}
    for account, community, owner in members:
        by_id.setdefault(community, []).append((account, owner))
    found = [
        Community(tuple(sorted(accounts)), internal_weight=round(internal_weights.get(cid, 0)))
        for cid, accounts in by_id.items()
    ]
    found.sort(key=lambda c: (-c.size, c.members[0][0]))
    return found
