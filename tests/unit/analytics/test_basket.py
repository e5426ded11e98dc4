"""analytics/basket.py equals mlxtend's apriori / association_rules on the same baskets."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules
from mlxtend.preprocessing import TransactionEncoder

from analytics import basket


def synthetic_baskets(seed: int, n: int, items: int = 9) -> list[set[str]]:
    """Baskets with structure: a few items that go together, and noise (some empty)."""
    rng = random.Random(seed)
    names = [f"i{k}" for k in range(items)]
    out = []
    for _ in range(n):
        chosen = {name for name in names if rng.random() < 0.18}
        if rng.random() < 0.3:
            chosen |= {"i0", "i1"}
        if rng.random() < 0.15:
            chosen |= {"i2", "i3", "i4"}
        out.append(chosen)
    return out


def mlxtend_rules(
    baskets: list[set[str]], min_support: float, min_confidence: float, max_len: int
) -> tuple[dict[frozenset[str], float], dict[tuple[Any, ...], tuple[float, ...]]]:
    encoder = TransactionEncoder()
    frame = pd.DataFrame(
        encoder.fit([sorted(b) for b in baskets]).transform([sorted(b) for b in baskets]),
        columns=encoder.columns_,
    )
    itemsets = apriori(frame, min_support=min_support, use_colnames=True, max_len=max_len)
    supports = dict(zip(itemsets["itemsets"], itemsets["support"], strict=True))
    measures = ["support", "antecedent support", "consequent support", "confidence", "lift"]
    found = association_rules(
        itemsets, num_itemsets=len(baskets), metric="confidence", min_threshold=min_confidence,
        return_metrics=measures,
    )  # fmt: skip
    rules = {
        (tuple(sorted(a)), tuple(sorted(c))): tuple(float(row[m]) for m in measures)
        for a, c, row in zip(
            found["antecedents"], found["consequents"], found.to_dict("records"), strict=True
        )
    }
    return supports, rules


def ours(rule: basket.Rule) -> tuple[float, ...]:
    return (rule.support, rule.antecedent_support, rule.consequent_support, rule.confidence,
            rule.lift)  # fmt: skip


@pytest.mark.parametrize(
    ("seed", "n", "min_support", "min_confidence", "max_size"),
    [(1, 200, 0.05, 0.2, 3), (2, 500, 0.02, 0.0, 3), (3, 97, 0.1, 0.5, 2), (4, 40, 0.1, 0.0, 3)],
)
def test_itemsets_and_rules_equal_mlxtend(
    seed: int, n: int, min_support: float, min_confidence: float, max_size: int
) -> None:
    baskets = synthetic_baskets(seed, n)
    expected_supports, expected_rules = mlxtend_rules(
        baskets, min_support, min_confidence, max_size
    )
    total, counts = basket.count_itemsets(baskets, min_support, max_size)
    assert total == n
    # Equal, not approximately: the same divisions in the same order.
    assert {s: k / n for s, k in counts.items()} == expected_supports
    found = basket.rules(counts, total, min_confidence)
    assert {(r.antecedent, r.consequent): ours(r) for r in found} == expected_rules
    assert len(found) == len(expected_rules) > 0
    assert any(len(r.antecedent) + len(r.consequent) == 3 for r in found) == (max_size == 3)


def test_a_support_exactly_at_the_threshold_is_kept() -> None:
    # 1 of 10 baskets: support 0.1 >= 0.1 (compared as a support, as mlxtend does).
    baskets = [{"a", "b"}] + [{"c"}] * 9
    _, counts = basket.count_itemsets(baskets, 0.1)
    assert counts[frozenset({"a", "b"})] == 1
    assert basket.frequent(1, 10, 0.1) and not basket.frequent(0, 10, 0.1)


def test_rules_read_by_hand() -> None:
    # 4 baskets: a in 3, b in 2, a+b in 2: a -> b confidence 2/3, lift (2/3) / (2/4) = 4/3.
    baskets = [{"a", "b"}, {"a", "b"}, {"a"}, {"c"}]
    n, counts = basket.count_itemsets(baskets, 0.5)
    assert counts == {frozenset("a"): 3, frozenset("b"): 2, frozenset("ab"): 2}
    by_side = {(r.antecedent, r.consequent): r for r in basket.rules(counts, n, 0.0)}
    assert by_side[("a",), ("b",)].confidence == pytest.approx(2 / 3)
    assert by_side[("a",), ("b",)].lift == pytest.approx(4 / 3)
    assert by_side[("b",), ("a",)].confidence == 1.0
    assert basket.rules(counts, n, 0.9) == [by_side[("b",), ("a",)]]


@pytest.mark.parametrize(
    ("support", "confidence", "size"), [(0.0, 0.5, 2), (1.5, 0.5, 2), (0.1, -1, 2), (0.1, 0.5, 4)]
)
def test_thresholds_out_of_range_are_refused(support: float, confidence: float, size: int) -> None:
    with pytest.raises(ValueError):
        basket.check_thresholds(support, confidence, size)
