"""The match model: fitted without labels, it scores candidate pairs and explains each score.

`fit_link_model` estimates, for accounts against customers (one-to-one, see
identity/fellegi_sunter.py): u from random pairs, m and the prior by EM on the candidate
pairs, and the term-frequency table of customers' names. `fit_dedupe_model` does the same
for pairs of customers (pairwise). A fitted model is plain numbers (`to_dict` /
`from_dict`, JSON-safe) with a version; scoring needs no refit.

Term frequency: agreeing on a name is weaker evidence when the name is common. For the
name levels of a comparison's `tf_levels`, the weight is adjusted by log2(c / share), where
share is the name's share among the named records and c the chance that two random named
records share a name, as Splink adjusts exact matches: a namesake "Wang Wei" gets less
weight from the name than a rare name does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from identity import fellegi_sunter as fs
from identity.blocking import Candidates
from identity.comparisons import ACCOUNT_COMPARISONS, CUSTOMER_COMPARISONS, Comparison
from identity.profiles import AccountProfile, CustomerProfile
from identity.vectors import compare_pairs, random_pairs

MODEL_VERSION = "fs-em-1"
L = TypeVar("L")
R = TypeVar("R")
Floats = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]
_TF_CAP = 6.0  # bits: a term-frequency adjustment never moves a weight by more than this


@dataclass
class MatchModel(Generic[L, R]):
    """Fitted parameters: per comparison and level, m and u; the prior; the name table."""

    kind: str  # "link" (one-to-one) or "dedupe" (pairwise)
    comparisons: tuple[Comparison[L, R], ...]
    m: list[Floats]
    u: list[Floats]
    prior: float
    population: int  # customers an account may belong to (link)
    name_frequency: dict[str, float]  # name (canonical) -> share of named records
    tf_means: dict[int, float]  # name level -> mean share of the name among non-matches
    iterations: int
    converged: bool
    one_to_one: bool = True  # False: pairs scored on their own (duplicates within a set)
    version: str = MODEL_VERSION

    @property
    def n_levels(self) -> list[int]:
        return [len(c.levels) for c in self.comparisons]

    def level_weights(self) -> list[Floats]:
        """log2(m/u) per comparison and level (a trailing 0 for NULL)."""
        return fs.level_weights(self.m, self.u)

    def log2_prior_odds(self) -> float:
        if self.one_to_one:
            return fs.log2_odds(self.prior, self.population)
        return fs.log2_pair_odds(self.prior)

    def tf_adjustment(self, name: str, level: int) -> float:
        """Bits added to the name comparison's weight at ``level`` for a customer called
        ``name`` (canonical): positive for a rarer name than usual at that level, negative
        for a commoner one, 0 when unknown or off the TF levels."""
        share = self.name_frequency.get(name, 0.0)
        mean = self.tf_means.get(level, 0.0)
        if share <= 0 or mean <= 0:
            return 0.0
        return max(-_TF_CAP, min(_TF_CAP, float(np.log2(mean / share))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe parameters (comparisons by name and levels, to check on load)."""
        return {
            "version": self.version,
            "kind": self.kind,
            "comparisons": [
                {"name": c.name, "levels": list(c.levels), "m": m.tolist(), "u": u.tolist()}
                for c, m, u in zip(self.comparisons, self.m, self.u, strict=True)
            ],
            "prior": self.prior,
            "population": self.population,
            "name_frequency": self.name_frequency,
            "tf_means": {str(k): v for k, v in self.tf_means.items()},
            "iterations": self.iterations,
            "converged": self.converged,
            "one_to_one": self.one_to_one,
        }


def link_model_from_dict(data: dict[str, Any]) -> MatchModel[AccountProfile, CustomerProfile]:
    """A fitted link model back from `to_dict`; ValueError when the comparisons changed."""
    return _from_dict(data, ACCOUNT_COMPARISONS)


def dedupe_model_from_dict(data: dict[str, Any]) -> MatchModel[CustomerProfile, CustomerProfile]:
    return _from_dict(data, CUSTOMER_COMPARISONS)


def _from_dict(data: dict[str, Any], comparisons: tuple[Comparison[L, R], ...]) -> MatchModel[L, R]:
    stored = [(c["name"], tuple(c["levels"])) for c in data["comparisons"]]
    if stored != [(c.name, c.levels) for c in comparisons]:
        raise ValueError("the model was fitted with other comparisons; fit it again")
    return MatchModel(
        kind=data["kind"],
        comparisons=comparisons,
        m=[np.asarray(c["m"], dtype=np.float64) for c in data["comparisons"]],
        u=[np.asarray(c["u"], dtype=np.float64) for c in data["comparisons"]],
        prior=float(data["prior"]),
        population=int(data["population"]),
        name_frequency={str(k): float(v) for k, v in data["name_frequency"].items()},
        tf_means={int(k): float(v) for k, v in data["tf_means"].items()},
        iterations=int(data["iterations"]),
        converged=bool(data["converged"]),
        one_to_one=bool(data["one_to_one"]),
        version=str(data["version"]),
    )


# -- fitting ----------------------------------------------------------------------------


def _name_table(
    customers: Sequence[CustomerProfile],
    accounts: Sequence[AccountProfile | CustomerProfile] = (),
) -> dict[str, float]:
    """Each name's share among the named records of both sides (a name common among
    accounts, namesakes included, is weak evidence even if rare in the CRM)."""
    counts = Counter(c.name.canonical for c in customers if c.name.canonical)
    counts.update(a.name.canonical for a in accounts if a.name.canonical)
    total = sum(counts.values()) or 1
    return {name: n / total for name, n in counts.items()}


def _shares(
    table: dict[str, float], right: Sequence[CustomerProfile], index: npt.NDArray[np.int64]
) -> Floats:
    """Per pair, the share of its right record's name (0 when unnamed)."""
    by_record = np.fromiter(
        (table.get(c.name.canonical, 0.0) for c in right), np.float64, count=len(right)
    )
    out: Floats = by_record[index]
    return out


def tf_bits(
    model: MatchModel[Any, Any],
    gamma: Levels,
    right: Sequence[CustomerProfile],
    right_index: npt.NDArray[np.int64],
) -> Floats:
    """Per pair, the term-frequency bits of its name level (0 off the TF levels)."""
    column = next((k for k, c in enumerate(model.comparisons) if c.tf_levels), None)
    if column is None:
        return np.zeros(len(gamma), dtype=np.float64)
    shares = _shares(model.name_frequency, right, right_index)
    return fs.tf_bits(
        gamma[:, column], shares, model.comparisons[column].tf_levels, model.tf_means, _TF_CAP
    )


def _background(
    left: Sequence[Any],
    right: Sequence[Any],
    comparisons: tuple[Comparison[Any, Any], ...],
    candidates: Candidates,
    all_pairs: int,
    size: int,
    seed: int,
    within: bool,
) -> list[Floats]:
    """Expected level counts of the non-candidate pairs, from a random sample of them."""
    n_right = max(len(right), 1)
    sample_left, sample_right = random_pairs(len(left), len(right), size, seed, distinct=within)
    if within:  # candidates within one set are stored as (smaller, larger)
        sample_left, sample_right = (
            np.minimum(sample_left, sample_right),
            np.maximum(sample_left, sample_right),
        )
    # Candidates are sorted by (left, right): their codes are sorted, so a binary search
    # tells which sampled pairs are candidates.
    codes = candidates.left * n_right + candidates.right
    sampled = sample_left * n_right + sample_right
    at = np.minimum(np.searchsorted(codes, sampled), max(len(codes) - 1, 0))
    outside = codes[at] != sampled if len(codes) else np.ones(len(sampled), dtype=np.bool_)
    gamma = compare_pairs(left, right, sample_left[outside], sample_right[outside], comparisons)
    n_levels = [len(c.levels) for c in comparisons]
    return fs.background_counts(gamma, n_levels, max(all_pairs - len(candidates), 1))


# EM sessions (see fellegi_sunter.estimate_by_sessions): which candidate pairs each learns
# from, by the blocking rules that proposed them, and the comparisons those rules chose on.
_SESSIONS = {
    "link": (
        (("handle_name", "display_name"), ("name",)),
        (("phone", "email", "claimed"), ("email", "phone")),
    ),
    "dedupe": (
        (("full_name",), ("name",)),
        # Not email_typo: addresses are made from names, so pairs chosen on an address's
        # first letters were chosen on the surname too.
        (("contact",), ("email", "phone")),
        (("identifier",), ("identifier",)),
        (("birth_date",), ("birth",)),
        (("street",), ("postcode", "address")),
    ),
}


def _sessions(
    kind: str, candidates: Candidates, comparisons: tuple[Comparison[Any, Any], ...]
) -> list[fs.Session]:
    names = [c.name for c in comparisons]
    out = []
    for rules, held_out in _SESSIONS[kind]:
        bits = sum(1 << candidates.rule_names.index(r) for r in rules if r in candidates.rule_names)
        out.append(
            fs.Session(
                (candidates.rules & bits) != 0,
                frozenset(names.index(h) for h in held_out if h in names),
            )
        )
    return out


def _fit(
    kind: str,
    comparisons: tuple[Comparison[Any, Any], ...],
    left: Sequence[Any],
    right: Sequence[CustomerProfile],
    table: dict[str, float],
    candidates: Candidates,
    gamma: Levels,
    all_pairs: int,
    *,
    within: bool,
    u_pairs: int,
    seed: int,
    max_iterations: int,
) -> MatchModel[Any, Any]:
    background = _background(left, right, comparisons, candidates, all_pairs, u_pairs, seed, within)
    n_levels = [len(c.levels) for c in comparisons]
    estimates = fs.estimate_by_sessions(
        gamma,
        n_levels,
        background,
        _sessions(kind, candidates, comparisons),
        left=candidates.left,
        population=len(right),
        groups=all_pairs if within else len(left),
        one_to_one=not within,
        max_iterations=max_iterations,
    )
    model = MatchModel(
        kind,
        comparisons,
        estimates.m,
        estimates.u,
        estimates.prior,
        len(right),
        table,
        {},
        estimates.iterations,
        estimates.converged,
        one_to_one=not within,
    )
    tf_column = next((k for k, c in enumerate(comparisons) if c.tf_levels), None)
    if tf_column is not None:
        # How common names are among the pairs that do not match, level by level, then the
        # prior again with the adjustment in.
        scores = score(model, candidates, gamma, right)
        shares = _shares(table, right, candidates.right)
        model.tf_means = fs.tf_means(
            gamma[:, tf_column], shares, comparisons[tf_column].tf_levels, 1 - scores.probability
        )
        model.prior = fs.estimate_prior(
            gamma,
            model.m,
            model.u,
            left=candidates.left,
            population=len(right),
            groups=all_pairs if within else len(left),
            one_to_one=not within,
            extra=tf_bits(model, gamma, right, candidates.right),
        )
    return model


def fit_link_model(
    accounts: Sequence[AccountProfile],
    customers: Sequence[CustomerProfile],
    candidates: Candidates,
    gamma: Levels,
    *,
    u_pairs: int = 30_000,
    seed: int = 0,
    max_iterations: int = 500,
) -> MatchModel[AccountProfile, CustomerProfile]:
    """Fit the account-customer model on the candidate pairs (``gamma``: their levels)."""
    table = _name_table(customers, accounts)
    all_pairs = len(accounts) * len(customers)
    return _fit("link", ACCOUNT_COMPARISONS, accounts, customers, table, candidates, gamma,
                all_pairs, within=False, u_pairs=u_pairs, seed=seed,
                max_iterations=max_iterations)  # fmt: skip


def fit_dedupe_model(
    customers: Sequence[CustomerProfile],
    candidates: Candidates,
    gamma: Levels,
    *,
    other: Sequence[CustomerProfile] | None = None,
    u_pairs: int = 30_000,
    seed: int = 0,
    max_iterations: int = 500,
) -> MatchModel[CustomerProfile, CustomerProfile]:
    """Fit the customer-customer model on the candidate pairs: within ``customers``, or
    between them and ``other`` (two sources of customers)."""
    right = customers if other is None else other
    table = _name_table(right, customers if other is not None else ())
    if other is None:
        all_pairs = len(customers) * (len(customers) - 1) // 2
    else:
        all_pairs = len(customers) * len(other)
    return _fit("dedupe", CUSTOMER_COMPARISONS, customers, right, table, candidates, gamma,
                all_pairs, within=other is None, u_pairs=u_pairs, seed=seed,
                max_iterations=max_iterations)  # fmt: skip


def group_starts(candidates: Candidates) -> npt.NDArray[np.int64]:
    """Where each left record's run of pairs begins (candidates are sorted by left)."""
    return fs.group_starts(candidates.left)


# -- scoring ----------------------------------------------------------------------------


@dataclass
class Scores:
    """Per candidate pair: the weight of each comparison, the TF bits, the total weight
    (without the prior) and the calibrated probability."""

    weights: Floats  # n_pairs x n_comparisons
    tf: Floats
    total: Floats
    probability: Floats


def score(
    model: MatchModel[Any, Any],
    candidates: Candidates,
    gamma: Levels,
    right: Sequence[CustomerProfile],
) -> Scores:
    """Weights and probabilities of the candidate pairs under ``model``."""
    weights = fs.pair_weights(gamma, model.level_weights())
    tf = tf_bits(model, gamma, right, candidates.right)
    total = weights.sum(axis=1) + tf
    if model.one_to_one:
        probability = fs.posteriors(total, group_starts(candidates), model.log2_prior_odds())
    else:
        probability = fs.pairwise_posteriors(total, model.log2_prior_odds())
    return Scores(weights, tf, total, probability)
