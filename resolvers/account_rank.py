"""PageRank of accounts over the follows between them (networkx): the hub's path, and
the reference the engines' PageRank is checked against (docs/network.md).

Pure: the same edges give the same ranking whatever order they came in.
"""

from collections.abc import Iterable

import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type hints

DAMPING = 0.85  # what FalkorDB's algo.pageRank uses (it takes no parameter) and GDS is given


def page_rank(edges: Iterable[tuple[str, str]], top: int) -> list[tuple[str, float]]:
    """The ``top`` accounts of the directed graph of ``edges`` (a follows b) by PageRank
    (damping DAMPING; scores sum to 1 over the accounts in the graph), as (account key,
    score), highest first, ties by key. Self-follows are ignored; no edges, no ranking."""
    graph = nx.DiGraph()
    graph.add_edges_from(sorted((a, b) for a, b in edges if a != b))
    if graph.number_of_nodes() == 0:
        return []
    scores: dict[str, float] = nx.pagerank(graph, alpha=DAMPING, tol=1e-10, max_iter=200)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:top]
