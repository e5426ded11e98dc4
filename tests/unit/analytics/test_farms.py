"""Account farms: new accounts in lockstep on the same posts, and recall on injected farms."""

from __future__ import annotations

from analytics import farms
from analytics.evaluation import precision_recall_at_k
from analytics.farms import FarmConfig, Interaction, Pair
from loaders.synthetic_fraud import generate_farms

DAY, MINUTE = 86_400_000, 60_000
CONFIG = FarmConfig()


def _likes(
    accounts: list[str], posts: int, spread_minutes: float, start: int = 0
) -> list[Interaction]:
    return [
        Interaction(a, f"post{p}", start + p * DAY + int(i * spread_minutes * MINUTE))
        for p in range(posts)
        for i, a in enumerate(accounts)
    ]


def test_three_new_accounts_in_lockstep_on_three_posts_are_a_farm() -> None:
    created = {a: 0 for a in ("f1", "f2", "f3")}
    pairs = farms.lockstep_pairs(_likes(["f1", "f2", "f3"], 3, 2.0), created, CONFIG)
    assert pairs == [Pair("f1", "f2", 3), Pair("f1", "f3", 3), Pair("f2", "f3", 3)]
    (farm,) = farms.farms(pairs, CONFIG)
    assert farm.accounts == ("f1", "f2", "f3") and farm.pairs == 3 and farm.score == 10.0


def test_old_accounts_slow_accounts_and_pairs_are_no_farm() -> None:
    accounts = ["a", "b", "c"]
    # created 60 days before: not new when they liked
    assert farms.lockstep_pairs(_likes(accounts, 3, 2.0, 60 * DAY), dict.fromkeys(accounts, 0),
                                CONFIG) == []  # fmt: skip
    # 20 minutes apart: not in lockstep
    assert farms.lockstep_pairs(_likes(accounts, 3, 20.0), dict.fromkeys(accounts, 0), CONFIG) == []
    # two posts only
    assert farms.lockstep_pairs(_likes(accounts, 2, 2.0), dict.fromkeys(accounts, 0), CONFIG) == []
    # a pair is no farm
    pairs = farms.lockstep_pairs(_likes(["a", "b"], 3, 2.0), dict.fromkeys(accounts, 0), CONFIG)
    assert pairs and farms.farms(pairs, CONFIG) == []


def test_a_bigger_farm_scores_higher() -> None:
    small = farms.farms([Pair("a", "b", 3), Pair("b", "c", 3)], CONFIG)
    big = farms.farms([Pair(f"x{i}", f"x{i + 1}", 6) for i in range(5)], CONFIG)
    assert big[0].score == 10.0 + 4.0 * 1 + 2.0 * 1 > small[0].score == 10.0


def test_injected_farms_are_found_at_top_k() -> None:
    data = generate_farms(accounts=1000, seed=7)
    pairs = farms.lockstep_pairs(data.interactions, data.accounts, CONFIG)
    scores = farms.account_scores(farms.farms(pairs, CONFIG))
    _, recall = precision_recall_at_k(data.labels, scores, len(data.labels))
    assert recall >= 0.9  # every injected farm account in the measured run


def test_each_interaction_is_paired_with_the_next_few_on_a_post_only() -> None:
    accounts = ["a", "b", "c", "d"]
    config = FarmConfig(max_next=2)
    pairs = farms.lockstep_pairs(_likes(accounts, 3, 1.0), dict.fromkeys(accounts, 0), config)
    # a is compared with b and c, not with d (three later), though all are within minutes
    assert [(p.a, p.b) for p in pairs] == [("a", "b"), ("a", "c"), ("b", "c"), ("b", "d"),
                                           ("c", "d")]  # fmt: skip
