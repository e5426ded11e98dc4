"""Recommendations over plain records: the reference for graph/recommend.py's scores, a
popularity baseline, and their evaluation on a time split (hit rate, precision and
recall at k). Docs: docs/recommendations.md.

An item (a product, or a brand) gets, from each *source* of peers, the share of peers who
bought it, summed over the source's peer groups, times the source's weight:

- purchase: one group per item the customer bought: the other customers who bought it;
- engagement: one group: the other customers engaging with a brand the customer engages
  with (follows, or interacts with its posts);
- tag: one group per tag the customer carries: the other customers carrying it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Index = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Weights:
    """How much each source's shares count in the score."""

    purchase: float = 1.0
    engagement: float = 0.5
    tag: float = 0.5

    def of(self, source: str) -> float:
        return float(getattr(self, source))


def _invert(index: Index) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for who, things in index.items():
        for thing in things:
            out[thing].add(who)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class History:
    """What the model learns from: per customer, the items bought, the brands engaged
    with (follow or interaction) and the tags carried."""

    bought: Index
    engaged: Index = field(default_factory=dict)
    tags: Index = field(default_factory=dict)
    # the same, inverted: item -> its buyers, brand -> its engagers, tag -> who carries it
    _buyers: Index = field(init=False, repr=False, compare=False)
    _engagers: Index = field(init=False, repr=False, compare=False)
    _tagged: Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_buyers", _invert(self.bought))
        object.__setattr__(self, "_engagers", _invert(self.engaged))
        object.__setattr__(self, "_tagged", _invert(self.tags))

    def peers(
        self, source: str, customer: str, max_peers: int | None = None
    ) -> list[tuple[str, frozenset[str]]]:
        """(group key, the other customers in it) for each peer group of ``source``
        (the engagement group's key is ""), each cut to its first ``max_peers`` by id."""
        empty: frozenset[str] = frozenset()
        if source == "purchase":
            groups = [(x, self._buyers[x] - {customer}) for x in self.bought.get(customer, empty)]
        elif source == "engagement":
            found = {d for e in self.engaged.get(customer, empty) for d in self._engagers[e]}
            found.discard(customer)
            groups = [("", frozenset(found))] if found else []
        else:
            groups = [(t, self._tagged[t] - {customer}) for t in self.tags.get(customer, empty)]
        if max_peers is None:
            return groups
        return [(key, frozenset(sorted(group)[:max_peers])) for key, group in groups]


SOURCES = ("purchase", "engagement", "tag")

# Peers a group keeps (the first by customer id, the same in the graph): a group such as
# "everyone who engages with the brands you engage with" can hold most customers, and
# reading all their purchases made one request cost time in proportion to the graph.
MAX_PEERS = 500


def scores(
    history: History,
    customer: str,
    weights: Weights = Weights(),
    exclude_bought: bool = True,
    max_peers: int | None = MAX_PEERS,
) -> dict[str, float]:
    """Every item some peer of ``customer`` bought -> its score (above 0), the items the
    customer bought left out when ``exclude_bought``; ``max_peers`` per group (None: all)."""
    total: dict[str, float] = defaultdict(float)
    for source in SOURCES:
        for _, group in history.peers(source, customer, max_peers):
            if not group:
                continue
            counts = Counter(y for d in group for y in history.bought.get(d, ()))
            for item, k in counts.items():
                total[item] += weights.of(source) * k / len(group)
    mine = history.bought.get(customer, frozenset()) if exclude_bought else frozenset()
    return {item: s for item, s in total.items() if item not in mine}


def top(ranked: Mapping[str, float], k: int) -> list[str]:
    """The ``k`` best items, best first (ties by item key, as the graph orders them)."""
    return sorted(ranked, key=lambda item: (-ranked[item], item))[:k]


def recommend(
    history: History, customer: str, k: int, weights: Weights = Weights(),
    exclude_bought: bool = True,
) -> list[str]:  # fmt: skip
    """The ``k`` best items for ``customer``."""
    return top(scores(history, customer, weights, exclude_bought), k)


def popularity(history: History) -> dict[str, float]:
    """Item -> customers who bought it: the baseline's score."""
    return dict(Counter(item for items in history.bought.values() for item in items))


def popular_for(
    ranked: Mapping[str, float], history: History, customer: str, k: int,
    exclude_bought: bool = True,
) -> list[str]:  # fmt: skip
    """The ``k`` most bought items, the customer's own left out when ``exclude_bought``."""
    mine = history.bought.get(customer, frozenset()) if exclude_bought else frozenset()
    out: list[str] = []
    for item in top(ranked, len(ranked)):
        if item not in mine:
            out.append(item)
            if len(out) == k:
                break
    return out


@dataclass(frozen=True)
class Evaluation:
    """Averages over the evaluated customers: hit rate (a test item in the top k),
    precision (test items in the top k / k) and recall (/ test items)."""

    customers: int
    hit_rate: float
    precision: float
    recall: float


def evaluate(
    lists: Mapping[str, list[str]], truth: Mapping[str, frozenset[str]], k: int
) -> Evaluation:
    """``lists``: customer -> recommended items; ``truth``: customer -> the items they
    bought in the test period (customers without any are not evaluated)."""
    hits = precision = recall = 0.0
    n = 0
    for customer, wanted in truth.items():
        if not wanted:
            continue
        n += 1
        found = len(set(lists.get(customer, [])[:k]) & wanted)
        hits += found > 0
        precision += found / k
        recall += found / len(wanted)
    if n == 0:
        return Evaluation(0, 0.0, 0.0, 0.0)
    return Evaluation(n, hits / n, precision / n, recall / n)


@dataclass(frozen=True)
class Split:
    """A time split of purchase rows: the history before the cut, and per customer the
    items first bought in [cut, end) (items bought before the cut are not new)."""

    train: History
    test: dict[str, frozenset[str]]


def time_split(
    purchases: Iterable[tuple[str, str, int]],
    engagements: Iterable[tuple[str, str, int | None]],
    tags: Iterable[tuple[str, str]],
    cut: int,
    end: int,
) -> Split:
    """``purchases``: (customer, item, at); ``engagements``: (customer, brand, at or None:
    undated, counted as before the cut); ``tags``: (customer, tag)."""
    before: dict[str, set[str]] = defaultdict(set)
    after: dict[str, set[str]] = defaultdict(set)
    for customer, item, at in purchases:
        if at < cut:
            before[customer].add(item)
        elif at < end:
            after[customer].add(item)
    engaged: dict[str, set[str]] = defaultdict(set)
    for customer, brand, since in engagements:
        if since is None or since < cut:
            engaged[customer].add(brand)
    tagged: dict[str, set[str]] = defaultdict(set)
    for customer, tag in tags:
        tagged[customer].add(tag)
    train = History(
        {c: frozenset(v) for c, v in before.items()},
        {c: frozenset(v) for c, v in engaged.items()},
        {c: frozenset(v) for c, v in tagged.items()},
    )
    test = {c: frozenset(v - before.get(c, set())) for c, v in after.items()}
    return Split(train, {c: v for c, v in test.items() if v})
