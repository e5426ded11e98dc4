"""The holdout draw: deterministic given its seed, of the share asked, a partition."""

from resolvers.campaigns import draw_holdout

IDS = [f"c{i:03d}" for i in range(200)]


def test_the_same_seed_gives_the_same_split_whatever_the_order_given():
    first = draw_holdout(IDS, 0.2, 42)
    again = draw_holdout(list(reversed(IDS)), 0.2, 42)
    assert first == again


def test_another_seed_gives_another_split():
    assert draw_holdout(IDS, 0.2, 42)[1] != draw_holdout(IDS, 0.2, 43)[1]


def test_the_split_is_a_partition_with_the_share_held_out():
    treated, control = draw_holdout(IDS, 0.2, 7)
    assert len(control) == 40 and len(treated) == 160
    assert sorted(treated + control) == IDS
    assert draw_holdout([], 0.5, 1) == ([], [])
