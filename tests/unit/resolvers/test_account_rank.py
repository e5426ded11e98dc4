"""PageRank of accounts over follows (the hub's path and the engines' reference)."""

import networkx as nx  # type: ignore[import-untyped]

from resolvers.account_rank import DAMPING, page_rank

# b and c follow a; a follows b; d follows c; a follows itself (ignored).
EDGES = [("b", "a"), ("c", "a"), ("a", "b"), ("d", "c"), ("a", "a")]


def test_the_most_followed_by_the_followed_is_first():
    ranked = page_rank(EDGES, top=10)
    assert [k for k, _ in ranked] == ["a", "b", "c", "d"]
    assert abs(sum(s for _, s in ranked) - 1.0) < 1e-9  # over the accounts ranked
    expected = nx.pagerank(nx.DiGraph([e for e in EDGES if e[0] != e[1]]), alpha=DAMPING)
    assert all(abs(s - expected[k]) < 1e-6 for k, s in ranked)


def test_top_cuts_and_order_does_not_matter():
    assert page_rank(EDGES, top=2) == page_rank(list(reversed(EDGES)), top=10)[:2]


def test_ties_go_by_key_and_no_edges_no_ranking():
    assert [k for k, _ in page_rank([("x", "y"), ("y", "x")], top=5)] == ["x", "y"]
    assert page_rank([], top=5) == []
    assert page_rank([("q", "q")], top=5) == []
