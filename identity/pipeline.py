"""Resolution end to end on plain records: profile, block, compare, fit (or reuse a fitted
model), score, decide. What the benchmark runs, and what `hub resolve` will run."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from identity.blocking import ACCOUNT_RULES, CUSTOMER_RULES, Candidates, block, block_within
from identity.comparisons import ACCOUNT_COMPARISONS, CUSTOMER_COMPARISONS
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
from identity.profiles import AccountProfile, CustomerProfile, account_profile, customer_profile
from identity.protection import shared_contacts, without_shared
from identity.records import AccountRecord, CustomerRecord
from identity.vectors import Levels, compare_pairs


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
) -> LinkRun:
    """Link ``accounts`` to ``customers``; fit a model unless one is given."""
    clock = _Clock()
    customer_profiles = [customer_profile(c, default_region) for c in customers]
    account_profiles = [account_profile(a, default_region) for a in accounts]
    shared = shared_contacts(customer_profiles)
    customer_profiles = [without_shared(c, shared) for c in customer_profiles]
    account_profiles = [without_shared(a, shared) for a in account_profiles]
    clock.lap("profiles")
    candidates = block(account_profiles, customer_profiles, ACCOUNT_RULES)
    clock.lap("blocking")
    gamma = compare_pairs(
        account_profiles, customer_profiles, candidates.left, candidates.right, ACCOUNT_COMPARISONS
    )
    clock.lap("comparisons")
    if model is None:
        model = fit_link_model(
            account_profiles, customer_profiles, candidates, gamma, u_pairs=u_pairs, seed=seed
        )
    clock.lap("fit")
    scores = score(model, candidates, gamma, customer_profiles)
    decisions = decide_links(
        model,
        account_profiles,
        customer_profiles,
        candidates,
        gamma,
        scores,
        thresholds or Thresholds(),
    )
    clock.lap("decisions")
    return LinkRun(
        account_profiles,
        customer_profiles,
        candidates,
        gamma,
        model,
        scores,
        decisions,
        clock.seconds,
    )


def resolve_duplicates(
    customers: Iterable[CustomerRecord],
    *,
    other: Iterable[CustomerRecord] | None = None,
    thresholds: Thresholds | None = None,
    model: MatchModel[CustomerProfile, CustomerProfile] | None = None,
    default_region: str | None = None,
    u_pairs: int = 30_000,
    seed: int = 0,
) -> DedupeRun:
    """Find CRM records of one person: within ``customers``, or between them and
    ``other`` (two sources). Fits a model unless one is given."""
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
