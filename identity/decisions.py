"""Decisions from scores: link, review or nothing, each with its explanation.

For an account: a CRM id it claims (of a known customer) wins, as exact evidence does
today; otherwise its most probable candidate is **linked** at or above
`Thresholds.auto_link`, queued for **review** at or above `Thresholds.review`, and left
alone below. An account links to at most one customer. An account with nothing to
compare (no usable name, handle, email or phone) is skipped with that reason.

An explanation lists every comparison with its level and match weight (log2 m/u, bits),
the term-frequency bits of the name, the prior (log2 odds) and, for an account, how much
the other candidates weigh: probability = 2^s / (1 + 2^s + competing) with s the prior
plus the weights, competing the sum of the other candidates' 2^s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from identity.blocking import Candidates
from identity.comparisons import NULL
from identity.model import MatchModel, Scores, group_starts
from identity.profiles import AccountProfile, CustomerProfile
from identity.vectors import Levels

Outcome = Literal["link", "review", "none"]


@dataclass(frozen=True)
class Thresholds:
    """Probabilities at which a pair is linked, or queued for a human."""

    auto_link: float = 0.95
    review: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.auto_link <= 1:
            raise ValueError("need 0 < review <= auto_link <= 1")

    def outcome(self, probability: float) -> Outcome:
        if probability >= self.auto_link:
            return "link"
        return "review" if probability >= self.review else "none"


@dataclass(frozen=True)
class Evidence:
    comparison: str
    level: str | None  # None: one side had nothing to compare
    weight: float  # bits, log2(m/u)
    tf: float = 0.0  # term-frequency bits (names)


@dataclass(frozen=True)
class Explanation:
    prior: float  # log2 prior odds of the pair
    evidence: tuple[Evidence, ...]
    competing: float  # sum of 2^score of the account's other candidates (0 for pairs)
    probability: float

    @property
    def score(self) -> float:
        """The pair's log2 odds before competition: prior plus every weight."""
        return self.prior + sum(e.weight + e.tf for e in self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior": round(self.prior, 3),
            "evidence": [
                {
                    "comparison": e.comparison,
                    "level": e.level,
                    "weight": round(e.weight, 3),
                    "tf": round(e.tf, 3),
                }
                for e in self.evidence
            ],
            "competing": self.competing,
            "probability": self.probability,
        }


@dataclass(frozen=True)
class LinkDecision:
    account_id: str
    customer_id: str | None
    outcome: Outcome
    method: Literal["crm_id", "probabilistic"] | None
    probability: float | None
    explanation: Explanation | None
    reason: str  # why, in words: 'claimed CRM id', 'no candidate', 'nothing to compare'...
    model_version: str


@dataclass(frozen=True)
class PairDecision:
    """Two CRM customers that may be one person (a SAME_AS candidate)."""

    left_id: str
    right_id: str
    outcome: Outcome
    probability: float
    explanation: Explanation


def explain(
    model: MatchModel[Any, Any],
    gamma: Levels,
    scores: Scores,
    row: int,
    competing: float = 0.0,
) -> Explanation:
    """The explanation of candidate pair ``row``."""
    evidence = []
    levels, weights = gamma[row].tolist(), scores.weights[row].tolist()
    tf = float(scores.tf[row])
    for comparison, level, weight in zip(model.comparisons, levels, weights, strict=True):
        has_tf = level in comparison.tf_levels
        evidence.append(
            Evidence(
                comparison.name,
                None if level == NULL else comparison.levels[level],
                weight,
                tf if has_tf else 0.0,
            )
        )
    return Explanation(
        model.log2_prior_odds(), tuple(evidence), competing, float(scores.probability[row])
    )


def decide_links(
    model: MatchModel[AccountProfile, CustomerProfile],
    accounts: Sequence[AccountProfile],
    customers: Sequence[CustomerProfile],
    candidates: Candidates,
    gamma: Levels,
    scores: Scores,
    thresholds: Thresholds,
    positions: Mapping[str, int] | None = None,
) -> list[LinkDecision]:
    """One decision per account, in ``accounts`` order; ``positions`` (customer id ->
    position in ``customers``) is built when not given."""
    by_id = positions if positions is not None else {c.id: j for j, c in enumerate(customers)}
    best: dict[int, tuple[int, float]] = {}  # account -> (its best row, competing)
    if len(candidates):
        starts = group_starts(candidates)
        sizes = np.diff(np.append(starts, len(candidates)))
        group = np.repeat(np.arange(len(starts)), sizes)
        probability = scores.probability
        # Each account's first most probable candidate, and the odds of the others.
        on_top = np.flatnonzero(probability == np.maximum.reduceat(probability, starts)[group])
        rows = on_top[np.unique(group[on_top], return_index=True)[1]]
        odds = np.exp2(scores.total + model.log2_prior_odds())
        competing = np.add.reduceat(odds, starts) - odds[rows]
        best = dict(
            zip(candidates.left[rows].tolist(),
                zip(rows.tolist(), competing.tolist(), strict=True), strict=True)
        )  # fmt: skip
    decisions = []
    for i, account in enumerate(accounts):
        decisions.append(
            _decide(
                model,
                account,
                i,
                customers,
                by_id,
                candidates,
                gamma,
                scores,
                thresholds,
                best.get(i),
            )
        )
    return decisions


def _decide(
    model: MatchModel[AccountProfile, CustomerProfile],
    account: AccountProfile,
    i: int,
    customers: Sequence[CustomerProfile],
    by_id: Mapping[str, int],
    candidates: Candidates,
    gamma: Levels,
    scores: Scores,
    thresholds: Thresholds,
    best: tuple[int, float] | None,
) -> LinkDecision:
    def decision(
        customer: str | None,
        outcome: Outcome,
        method: Any,
        probability: float | None,
        explanation: Explanation | None,
        reason: str,
    ) -> LinkDecision:
        return LinkDecision(
            account.id, customer, outcome, method, probability, explanation, reason, model.version
        )

    explanation = explain(model, gamma, scores, best[0], best[1]) if best else None
    if account.claimed and account.claimed in by_id:
        claimed = by_id[account.claimed]
        if best and int(candidates.right[best[0]]) != claimed:
            explanation = None  # the model preferred another customer: its reasons are moot
        return decision(account.claimed, "link", "crm_id", 1.0, explanation, "claimed CRM id")
    if not (
        account.name.usable or account.handle.usable or account.email.usable or account.phone.usable
    ):
        return decision(None, "none", None, None, None, "nothing to compare")
    if best is None or explanation is None:
        return decision(None, "none", None, None, None, "no candidate")
    row = best[0]
    probability = float(scores.probability[row])
    outcome = thresholds.outcome(probability)
    customer = customers[int(candidates.right[row])].id
    reason = {
        "link": "above the auto-link threshold",
        "review": "between the thresholds",
        "none": "below the review threshold",
    }[outcome]
    return decision(
        customer if outcome != "none" else None,
        outcome,
        "probabilistic" if outcome != "none" else None,
        probability,
        explanation,
        reason,
    )


def decide_pairs(
    model: MatchModel[CustomerProfile, CustomerProfile],
    customers: Sequence[CustomerProfile],
    right: Sequence[CustomerProfile],
    candidates: Candidates,
    gamma: Levels,
    scores: Scores,
    thresholds: Thresholds,
) -> list[PairDecision]:
    """The candidate duplicate pairs at or above the review threshold, most probable first."""
    rows = np.flatnonzero(scores.probability >= thresholds.review)
    rows = rows[np.argsort(-scores.probability[rows], kind="stable")]
    competing = np.zeros(len(candidates))
    if model.one_to_one and len(candidates):  # the left record's other candidates
        odds = np.exp2(scores.total + model.log2_prior_odds())
        starts = group_starts(candidates)
        sizes = np.diff(np.append(starts, len(candidates)))
        competing = np.repeat(np.add.reduceat(odds, starts), sizes) - odds
    return [
        PairDecision(
            customers[int(candidates.left[r])].id,
            right[int(candidates.right[r])].id,
            thresholds.outcome(float(scores.probability[r])),
            float(scores.probability[r]),
            explain(model, gamma, scores, int(r), float(competing[r])),
        )
        for r in rows.tolist()
    ]
