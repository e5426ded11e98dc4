"""Account farms: new social accounts interacting in lockstep with the same posts.

Two accounts are **in lockstep** when both interacted, while new (within ``new_days`` of
the account's creation), with at least ``min_posts`` of the same posts, each time within
``lockstep_minutes`` of each other (an account's first interaction with a post counts;
each is compared with the next ``max_next`` on the post, in time order).
A connected group of ``min_accounts`` or more accounts in lockstep is a farm. The score is
a rule in bits, like a ring's (analytics/fraud.py): 10 at the smallest farm, plus 4 per
doubling of its size, plus 2 per doubling of the most posts a pair shared in lockstep.

graph/fraud.py's `FRAUD_LOCKSTEP_PAIRS` finds the pairs in the graph; ``lockstep_pairs``
finds the same pairs in plain records (the bench's in-process path); ``farms`` groups and
scores either. Times are epoch milliseconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analytics.components import Groups

_DAY_MS = 86_400_000
_MINUTE_MS = 60_000
_FARM_BITS = 10.0


@dataclass(frozen=True, slots=True)
class FarmConfig:
    """Thresholds of the farm pattern."""

    min_accounts: int = 3
    min_posts: int = 3
    new_days: float = 30.0
    lockstep_minutes: float = 10.0
    # Each interaction is compared with the next ``max_next`` on the same post, in time
    # order: a popular post's thousands of new fans would otherwise make millions of pairs.
    # A bigger farm acting at once still connects, through the members in between.
    max_next: int = 20

    @property
    def new_ms(self) -> int:
        return round(self.new_days * _DAY_MS)

    @property
    def lockstep_ms(self) -> int:
        return round(self.lockstep_minutes * _MINUTE_MS)


@dataclass(frozen=True, slots=True)
class Interaction:
    """An account's interaction with a post, at epoch milliseconds."""

    account_id: str
    post_id: str
    at: int


@dataclass(frozen=True, slots=True)
class Pair:
    """Two accounts (``a`` < ``b``) and the posts they interacted with in lockstep."""

    a: str
    b: str
    posts: int


@dataclass(frozen=True, slots=True)
class Farm:
    """A connected group of accounts in lockstep, scored in bits."""

    accounts: tuple[str, ...]
    pairs: int
    posts: int  # the most posts one pair shared in lockstep
    score: float


def lockstep_pairs(
    interactions: Iterable[Interaction], created: Mapping[str, int], config: FarmConfig
) -> list[Pair]:
    """The pairs in lockstep among ``interactions``; ``created``: each account's creation
    time (accounts without one are never new)."""
    first: dict[tuple[str, str], int] = {}
    for i in interactions:
        born = created.get(i.account_id)
        if born is None or not born <= i.at <= born + config.new_ms:
            continue
        key = (i.post_id, i.account_id)
        first[key] = min(first.get(key, i.at), i.at)
    by_post: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (post, account), at in first.items():
        by_post[post].append((account, at))
    posts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for post, xs in by_post.items():
        xs.sort(key=lambda x: (x[1], x[0]))
        for x, (u, u_at) in enumerate(xs):
            for v, v_at in xs[x + 1 : x + 1 + config.max_next]:
                if v_at - u_at > config.lockstep_ms:
                    break  # in time order: the rest are later still
                posts[(min(u, v), max(u, v))].add(post)
    return [Pair(a, b, len(p)) for (a, b), p in sorted(posts.items()) if len(p) >= config.min_posts]


def farms(pairs: Sequence[Pair], config: FarmConfig) -> list[Farm]:
    """The farms the pairs form (``min_posts`` already applied), highest score first."""
    groups = Groups()
    for pair in pairs:
        groups.join(pair.a, pair.b)
    members = groups.members()
    links: dict[str, list[int]] = defaultdict(list)
    for pair in pairs:
        links[groups.root(pair.a)].append(pair.posts)
    found = []
    for head, accounts in members.items():
        if len(accounts) < config.min_accounts:
            continue
        most = max(links[head])
        score = (
            _FARM_BITS
            + 4.0 * math.log2(len(accounts) / config.min_accounts)
            + 2.0 * math.log2(most / config.min_posts)
        )
        found.append(Farm(tuple(sorted(accounts)), len(links[head]), most, round(score, 2)))
    return sorted(found, key=lambda f: (-f.score, f.accounts))


def account_scores(found: Iterable[Farm]) -> dict[str, float]:
    """Each farm account's score (its farm's)."""
    return {a: f.score for f in found for a in f.accounts}
