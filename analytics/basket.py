"""Market basket: frequent item sets and association rules (support, confidence, lift).

The hub counts item sets in the graph (graph/basket.py); this module is the arithmetic
on those counts, ``rules``, and a pure-Python Apriori, ``count_itemsets``, that is the
reference the graph's counts are checked against (and, in the tests, mlxtend's
`apriori` / `association_rules`). Definitions, as mlxtend computes them, with N baskets:

- support(X) = baskets holding every item of X / N (kept when >= the minimum support);
- confidence(A -> C) = support(A + C) / support(A) (in floating point as mlxtend does);
- lift(A -> C) = confidence(A -> C) / support(C): 1 = bought together as often as chance.

Docs: docs/predictions.md, "Market basket".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

MAX_ITEMSET_SIZE = 3  # "small item sets": pairs and triples

Itemset = frozenset[str]


@dataclass(frozen=True)
class Rule:
    """``antecedent`` -> ``consequent`` (each sorted) with its measures; ``baskets``: how
    many baskets hold both sides."""

    antecedent: tuple[str, ...]
    consequent: tuple[str, ...]
    baskets: int
    support: float
    antecedent_support: float
    consequent_support: float
    confidence: float
    lift: float


def check_thresholds(min_support: float, min_confidence: float, max_size: int) -> None:
    """Raises ValueError naming the knob when a threshold is out of its range."""
    if not 0.0 < min_support <= 1.0:
        raise ValueError("min_support must be within (0, 1]")
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError("min_confidence must be within [0, 1]")
    if not 2 <= max_size <= MAX_ITEMSET_SIZE:
        raise ValueError(f"max_size must be within 2..{MAX_ITEMSET_SIZE}")


def frequent(count: int, baskets: int, min_support: float) -> bool:
    """Whether ``count`` of ``baskets`` reaches ``min_support``, compared as a support
    (count / N, a float), exactly as mlxtend and the graph's statements compare it."""
    return baskets > 0 and count / baskets >= min_support


def count_itemsets(
    baskets: Iterable[Iterable[str]], min_support: float, max_size: int = MAX_ITEMSET_SIZE
) -> tuple[int, dict[Itemset, int]]:
    """(N, count of every item set of 1..``max_size`` items with support >= ``min_support``).

    Apriori: the candidates of size k are the k-sets whose every (k-1)-subset is frequent.
    Empty baskets count in N. Raises ValueError for a threshold out of range.
    """
    check_thresholds(min_support, 0.0, max(max_size, 2))
    sets = [frozenset(b) for b in baskets]
    n = len(sets)
    counts: dict[Itemset, int] = {}
    level = {
        frozenset([item]): k
        for item, k in Counter(i for s in sets for i in s).items()
        if frequent(k, n, min_support)
    }
    size = 1
    while level:
        counts |= level
        size += 1
        if size > max_size:
            break
        items = sorted({i for s in level for i in s})
        candidates = [
            frozenset(c)
            for c in combinations(items, size)
            if all(frozenset(sub) in level for sub in combinations(c, size - 1))
        ]
        tally = Counter(c for s in sets for c in candidates if c <= s)
        level = {c: k for c, k in tally.items() if frequent(k, n, min_support)}
    return n, counts


def rules(counts: Mapping[Itemset, int], baskets: int, min_confidence: float) -> list[Rule]:
    """Every rule A -> C with A + C a counted item set of 2 or more items, A and C
    non-empty and disjoint, and confidence >= ``min_confidence``; strongest first (lift,
    then confidence, support, then the items). ``counts`` must hold every subset of each
    item set it holds (Apriori's and the graph's counts do); KeyError otherwise.
    """
    found: list[Rule] = []
    for itemset, both in counts.items():
        if len(itemset) < 2:
            continue
        support = both / baskets
        for size in range(1, len(itemset)):
            for left in combinations(sorted(itemset), size):
                antecedent = frozenset(left)
                consequent = itemset - antecedent
                a_support = counts[antecedent] / baskets
                c_support = counts[consequent] / baskets
                # mlxtend's arithmetic, its num_itemsets scaling included, so that the
                # two agree to the last bit (both / count_a can differ by one ulp).
                confidence = (support * baskets) / (a_support * baskets)
                if confidence < min_confidence:
                    continue
                found.append(
                    Rule(
                        antecedent=tuple(sorted(antecedent)),
                        consequent=tuple(sorted(consequent)),
                        baskets=both,
                        support=support,
                        antecedent_support=a_support,
                        consequent_support=c_support,
                        confidence=confidence,
                        lift=confidence / c_support,
                    )
                )
    found.sort(key=lambda r: (-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent))
    return found
