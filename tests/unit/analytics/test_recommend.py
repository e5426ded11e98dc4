"""analytics/recommend.py: scores worked out by hand, the popularity baseline, the
evaluation's arithmetic and the time split."""

import pytest

from analytics.recommend import (
    Evaluation,
    History,
    Weights,
    evaluate,
    popular_for,
    popularity,
    recommend,
    scores,
    time_split,
)

# a bought x, y; b bought x, z; c bought x, y, w; d bought w. a and d engage with brand B;
# a and c carry tag T.
HISTORY = History(
    bought={"a": frozenset("xy"), "b": frozenset("xz"), "c": frozenset("xyw"), "d": frozenset("w")},
    engaged={"a": frozenset({"B"}), "d": frozenset({"B"})},
    tags={"a": frozenset({"T"}), "c": frozenset({"T"})},
)


def test_scores_sum_each_sources_shares_by_weight():
    # purchase: x's other buyers {b, c}: z 1/2, y 1/2, w 1/2, x 2/2; y's {c}: x, y, w 1/1.
    # engagement: {d}: w 1/1. tag T: {c}: x, y, w 1/1.
    got = scores(HISTORY, "a", Weights(purchase=1.0, engagement=0.5, tag=0.25), False)
    assert got == pytest.approx({
        "x": 1.0 + 1.0 + 0.25, "y": 0.5 + 1.0 + 0.25, "z": 0.5,
        "w": 0.5 + 1.0 + 0.5 + 0.25,
    })  # fmt: skip


def test_bought_items_are_left_out_by_default():
    assert set(scores(HISTORY, "a")) == {"z", "w"}
    assert recommend(HISTORY, "a", 1) == ["w"]


def test_a_customer_with_no_peers_gets_nothing():
    assert scores(History({"a": frozenset("x")}), "a", exclude_bought=False) == {}
    assert scores(HISTORY, "nobody") == {}


def test_popularity_counts_customers_and_leaves_out_the_customers_own():
    ranked = popularity(HISTORY)
    assert ranked == {"x": 3, "y": 2, "w": 2, "z": 1}
    assert popular_for(ranked, HISTORY, "a", 2) == ["w", "z"]
    assert popular_for(ranked, HISTORY, "a", 2, exclude_bought=False) == ["x", "w"]


def test_evaluate_averages_hits_precision_and_recall():
    lists = {"a": ["p", "q"], "b": ["r", "s"], "c": ["t"]}
    truth = {"a": frozenset({"q", "z"}), "b": frozenset({"x"}), "c": frozenset()}
    # a: 1 hit of 2 wanted; b: none; c has nothing to find and is not evaluated.
    assert evaluate(lists, truth, 2) == Evaluation(2, 0.5, 0.25, 0.25)
    assert evaluate({}, {}, 10) == Evaluation(0, 0.0, 0.0, 0.0)


def test_time_split_trains_before_the_cut_and_tests_new_items_after():
    purchases = [("a", "x", 1), ("a", "y", 5), ("a", "x", 6), ("b", "z", 6), ("b", "w", 9)]
    engagements = [("a", "B", 2), ("b", "C", 7), ("b", "D", None)]
    split = time_split(purchases, engagements, [("a", "T")], cut=5, end=9)
    assert split.train.bought == {"a": frozenset("x")}
    assert split.train.engaged == {"a": frozenset("B"), "b": frozenset("D")}
    assert split.train.tags == {"a": frozenset("T")}
    # a's x after the cut is not new; w at the end is outside the test window
    assert split.test == {"a": frozenset("y"), "b": frozenset("z")}
