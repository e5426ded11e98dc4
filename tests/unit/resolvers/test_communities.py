"""Louvain communities of accounts: deterministic, ranked, weighted."""

from resolvers.communities import detect_communities, group_communities

# Two triangles joined by one light edge.
EDGES = [
    ("a", "b", 3), ("b", "c", 3), ("a", "c", 3),
    ("x", "y", 2), ("y", "z", 2), ("x", "z", 2), ("z", "y", 1),
    ("c", "x", 1), ("q", "q", 5),
]  # fmt: skip
OWNERS = {"a": "c1", "b": None, "c": "c3", "x": None, "y": None, "z": "c9"}


def test_two_triangles_are_two_communities():
    found = detect_communities(EDGES, OWNERS, seed=42)
    assert [[m for m, _ in c.members] for c in found] == [["a", "b", "c"], ["x", "y", "z"]]
    assert found[0].members[0] == ("a", "c1")
    assert [c.internal_weight for c in found] == [9, 7]  # z-y counted both ways: 2 + 1
    assert [c.size for c in found] == [3, 3]


def test_the_same_edges_in_any_order_give_the_same_answer():
    assert detect_communities(list(reversed(EDGES)), OWNERS, 7) == detect_communities(
        EDGES, OWNERS, 7
    )


def test_no_edges_no_communities():
    assert detect_communities([], {}, 1) == []
    assert detect_communities([("q", "q", 1)], {}, 1) == []


def test_an_engines_answer_is_grouped_and_ranked_like_the_hubs():
    # (account, community id, owner) rows in any order, ids as the engine numbers them.
    rows = [("z", 7, "c9"), ("a", 3, "c1"), ("x", 7, None), ("b", 3, None), ("q", 1, None),
            ("y", 7, None), ("c", 3, "c3")]  # fmt: skip
    found = group_communities(rows, {3: 9.0, 7: 7.0})
    hub = detect_communities(EDGES, OWNERS, seed=42)
    assert found[:2] == hub
    assert found[2].members == (("q", None),) and found[2].internal_weight == 0
