"""Resolution end to end on plain records: profile, block, compare, fit (or reuse a fitted
model), score, decide. What the benchmark runs, and what `hub resolve` will run.

Two ways to link accounts to customers:

- `resolve_accounts`: everything in memory at once (every profile, candidate pair, level
  and score is kept in the `LinkRun`, for measuring and explaining a whole run);
- streaming, for inputs of any size and for incremental runs: build a `CustomerIndex`
  once (the customers stay in memory), fit a model on a bounded sample of the accounts
  (`fit_account_model`), then `score_accounts` yields decisions a chunk of accounts at a
  time. Memory for pairs is bounded by the sample and the chunk, not the input; the
  decisions are the same as `resolve_accounts` gives with that model, since an account's
  probability depends only on its own candidates.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Generic, TypeVar

import numpy as np

from identity import parallel
from identity.allocation import no_cycle_collection
from identity.blocking import CUSTOMER_RULES, Candidates, block, block_within
from identity.comparisons import ACCOUNT_COMPARISONS, CUSTOMER_COMPARISONS
from identity.customer_index import CustomerIndex, parse_accounts
from identity.decisions import (
    LinkDecision,
    PairDecision,
    Thresholds,
    decide_links,
    decide_pairs,
)
from identity.model import (
    MatchModel,
    Scores,
    fit_dedupe_model,
    fit_link_model,
    score,
)
from identity.profiles import AccountProfile, CustomerProfile, customer_profile
from identity.protection import shared_contacts, without_shared
from identity.records import AccountRecord, CustomerRecord
from identity.vectors import Levels, compare_pairs

__all__ = [
    "CHUNK",
    "FIT_SAMPLE",
    "CustomerIndex",
    "DedupeRun",
    "LinkRun",
    "Reservoir",
    "fit_account_model",
    "resolve_accounts",
    "resolve_duplicates",
    "sample_in_order",
    "score_accounts",
]
T = TypeVar("T")


@dataclass
class LinkRun:
    """Everything one run of account linking computed, and how long each step took (s)."""

    accounts: list[AccountProfile]
    customers: list[CustomerProfile]
    candidates: Candidates
    gamma: Levels
    model: MatchModel[AccountProfile, CustomerProfile]
    scores: Scores
    decisions: list[LinkDecision]
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class DedupeRun:
    customers: list[CustomerProfile]
    candidates: Candidates
    gamma: Levels
    model: MatchModel[CustomerProfile, CustomerProfile]
    scores: Scores
    decisions: list[PairDecision]
    seconds: dict[str, float] = field(default_factory=dict)
    other: list[CustomerProfile] | None = None  # the second source, when linking two


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = now - self._last
        self._last = now


def resolve_accounts(
    accounts: Iterable[AccountRecord],
    customers: Iterable[CustomerRecord],
    *,
    thresholds: Thresholds | None = None,
    model: MatchModel[AccountProfile, CustomerProfile] | None = None,
    default_region: str | None = None,
    u_pairs: int = 30_000,
    seed: int = 0,
    workers: int = 1,
) -> LinkRun:
    """Link ``accounts`` to ``customers``, all in memory; fit a model unless one is given.
    ``workers`` > 1: the accounts are parsed in a forked child while this process indexes
    the customers, and pairs are compared in ``workers`` processes (`identity.parallel`);
    the run is the same as with one."""
    with no_cycle_collection(), parallel.using(workers):
        return _resolve_accounts(accounts, customers, thresholds, model, default_region,
                                 u_pairs, seed)  # fmt: skip


def _resolve_accounts(
    accounts: Iterable[AccountRecord],
    customers: Iterable[CustomerRecord],
    thresholds: Thresholds | None,
    model: MatchModel[AccountProfile, CustomerProfile] | None,
    default_region: str | None,
    u_pairs: int,
    seed: int,
) -> LinkRun:
    clock = _Clock()
    # With workers, the accounts are parsed in a child while the customers are indexed.
    parsed = (parallel.in_child(parse_accounts, list(accounts), default_region)
              if parallel.workers() > 1 else None)  # fmt: skip
    index = CustomerIndex.build(customers, default_region)
    account_profiles = index.protect(parsed()) if parsed else index.profiles(accounts)
    clock.lap("profiles")
    candidates = index.candidates(account_profiles)
    clock.lap("blocking")
    gamma = compare_pairs(account_profiles, index.customers, candidates.left, candidates.right,
                          ACCOUNT_COMPARISONS)  # fmt: skip
    clock.lap("comparisons")
    if model is None:
        model = fit_link_model(account_profiles, index.customers, candidates, gamma,
                               u_pairs=u_pairs, seed=seed)  # fmt: skip
    clock.lap("fit")
    scores = score(model, candidates, gamma, index.customers)
    decisions = decide_links(model, account_profiles, index.customers, candidates, gamma, scores,
                             thresholds or Thresholds(), index.positions)  # fmt: skip
    clock.lap("decisions")
    return LinkRun(account_profiles, index.customers, candidates, gamma, model, scores,
                   decisions, clock.seconds)  # fmt: skip


# -- streaming --------------------------------------------------------------------------

FIT_SAMPLE = 25_000  # accounts a model is fitted on, at most (their pairs stay in memory)
CHUNK = 2_000  # accounts scored at a time


def fit_account_model(
    index: CustomerIndex,
    accounts: Iterable[AccountRecord],
    *,
    sample: int = FIT_SAMPLE,
    u_pairs: int = 30_000,
    seed: int = 0,
) -> MatchModel[AccountProfile, CustomerProfile]:
    """A link model fitted on at most ``sample`` of ``accounts`` (a uniform sample, read in
    one pass, in input order; all of them when there are fewer) against the customers of
    ``index``. Raises ValueError when ``sample`` < 1."""
    if sample < 1:
        raise ValueError("the sample needs at least one account")
    chosen = sample_in_order(accounts, sample, seed)
    with no_cycle_collection():
        profiles = index.profiles(chosen)
        candidates = index.candidates(profiles)
        gamma = compare_pairs(profiles, index.customers, candidates.left, candidates.right,
                              ACCOUNT_COMPARISONS)  # fmt: skip
        return fit_link_model(profiles, index.customers, candidates, gamma, u_pairs=u_pairs,
                              seed=seed)  # fmt: skip


def score_accounts(
    model: MatchModel[AccountProfile, CustomerProfile],
    accounts: Iterable[AccountRecord],
    index: CustomerIndex,
    thresholds: Thresholds | None = None,
    *,
    chunk: int = CHUNK,
) -> Iterator[LinkDecision]:
    """One decision per account, in input order, ``chunk`` accounts at a time: each chunk
    is parsed, blocked against ``index``, compared, scored and decided, then let go.
    ``accounts`` may be any iterable (a file being read); nothing of a chunk is kept once
    its decisions are yielded. Raises ValueError when ``chunk`` < 1."""
    if chunk < 1:
        raise ValueError("a chunk needs at least one account")
    thresholds = thresholds or Thresholds()
    records = iter(accounts)
    while batch := list(islice(records, chunk)):
        with no_cycle_collection():  # not across the yield: the caller's code runs there
            profiles = index.profiles(batch)
            candidates = index.candidates(profiles)
            gamma = compare_pairs(profiles, index.customers, candidates.left,
                                  candidates.right, ACCOUNT_COMPARISONS)  # fmt: skip
            scores = score(model, candidates, gamma, index.customers)
            decisions = decide_links(model, profiles, index.customers, candidates, gamma,
                                     scores, thresholds, index.positions)  # fmt: skip
        yield from decisions


def sample_in_order(records: Iterable[T], size: int, seed: int = 0) -> list[T]:
    """A uniform sample of ``size`` records (reservoir sampling: one pass, ``size`` held),
    in input order; every record when there are no more than ``size``."""
    reservoir: Reservoir[T] = Reservoir(size, seed)
    for record in records:
        reservoir.add(record)
    return reservoir.sample()


class Reservoir(Generic[T]):
    """`sample_in_order` fed one record at a time (records that arrive in pages)."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.seen = 0
        self._rng = np.random.default_rng(seed)
        self._kept: list[tuple[int, T]] = []

    def add(self, record: T) -> None:
        n = self.seen
        self.seen += 1
        if n < self.size:
            self._kept.append((n, record))
        else:
            slot = int(self._rng.integers(n + 1))
            if slot < self.size:
                self._kept[slot] = (n, record)

    def sample(self) -> list[T]:
        """The records kept, in the order they were added."""
        return [record for _, record in sorted(self._kept, key=lambda pair: pair[0])]


def resolve_duplicates(
    customers: Iterable[CustomerRecord],
    *,
    other: Iterable[CustomerRecord] | None = None,
    thresholds: Thresholds | None = None,
    model: MatchModel[CustomerProfile, CustomerProfile] | None = None,
    default_region: str | None = None,
    u_pairs: int = 30_000,
    seed: int = 0,
    workers: int = 1,
) -> DedupeRun:
    """Find CRM records of one person: within ``customers``, or between them and
    ``other`` (two sources). Fits a model unless one is given. ``workers`` > 1: pairs are
    compared in that many processes (`identity.parallel`); the run is the same."""
    with no_cycle_collection(), parallel.using(workers):
        return _resolve_duplicates(customers, other, thresholds, model, default_region,
                                   u_pairs, seed)  # fmt: skip


def _resolve_duplicates(
    customers: Iterable[CustomerRecord],
    other: Iterable[CustomerRecord] | None,
    thresholds: Thresholds | None,
    model: MatchModel[CustomerProfile, CustomerProfile] | None,
    default_region: str | None,
    u_pairs: int,
    seed: int,
) -> DedupeRun:
    clock = _Clock()
    profiles = [customer_profile(c, default_region) for c in customers]
    others = None if other is None else [customer_profile(c, default_region) for c in other]
    shared = shared_contacts(profiles + (others or []))
    profiles = [without_shared(c, shared) for c in profiles]
    others = None if others is None else [without_shared(c, shared) for c in others]
    clock.lap("profiles")
    if others is None:
        candidates = block_within(profiles, CUSTOMER_RULES)
    else:
        candidates = block(profiles, others, CUSTOMER_RULES)
    right = profiles if others is None else others
    clock.lap("blocking")
    gamma = compare_pairs(profiles, right, candidates.left, candidates.right,
                          CUSTOMER_COMPARISONS)  # fmt: skip
    clock.lap("comparisons")
    if model is None:
        model = fit_dedupe_model(profiles, candidates, gamma, other=others, u_pairs=u_pairs,
                                 seed=seed)  # fmt: skip
    clock.lap("fit")
    scores = score(model, candidates, gamma, right)
    decisions = decide_pairs(model, profiles, right, candidates, gamma, scores,
                             thresholds or Thresholds())  # fmt: skip
    clock.lap("decisions")
    return DedupeRun(profiles, candidates, gamma, model, scores, decisions, clock.seconds,
                     right)  # fmt: skip
