"""The Fellegi-Sunter model: match weights from m and u probabilities, posteriors, and EM.

For each comparison k and level l, ``m[k][l]`` is P(level l | the pair is a match) and
``u[k][l]`` P(level l | not a match); the match weight of a level is log2(m/u) and a
pair's weight is the sum over its comparisons (a NULL level weighs 0).

Posteriors are **one-to-one**: each left record (an account; or, for CRM duplicates, the
earlier record of a pair) matches at most one of ``population`` right records, and some
one with probability ``prior``. The posterior of candidate c of record a is
``q 2^W(a,c) / (1 + sum over a's candidates c' of q 2^W(a,c'))`` with
``q = (prior / population) / (1 - prior)``: namesakes share the probability instead of
each getting all of it.

Estimated without labels (`estimate_by_sessions`): every pair outside the candidates
counts as a non-match whose levels are known from a random sample of them (the
"background"), so u is each level's frequency among all pairs; m comes from EM sessions
(Dempster, Laird & Rubin; Splink's training sessions) that each learn from the pairs some
blocking rules proposed while leaving out the comparisons those rules chose on; then the
prior, with m and u fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]
Indices = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
_SMOOTHING = 0.01  # pseudo-count per level, so no level ever weighs -inf or +inf
_FLOOR = 1e-9
# |log2 odds| below which 2^x and a run's sum of them stay finite in float64 (max 2^1024,
# runs of at most a few thousand pairs); scores are sums of a few dozen bits.
_NO_OVERFLOW = 1000.0


@dataclass
class Estimates:
    """m and u per comparison and level, the prior, and how EM got there."""

    m: list[Floats]
    u: list[Floats]
    prior: float
    iterations: int
    converged: bool


@dataclass(frozen=True)
class Session:
    """Candidate pairs one EM session learns from (``rows``), and the comparisons it leaves
    out of the posterior because its pairs were chosen on them: within pairs proposed
    because their names agree, name agreement says nothing about matching."""

    rows: Mask
    held_out: frozenset[int]


# -- weights and posteriors -------------------------------------------------------------


def level_weights(m: Sequence[Floats], u: Sequence[Floats]) -> list[Floats]:
    """log2(m/u) per level, with a trailing 0 so that index -1 (NULL) weighs nothing."""
    return [
        np.append(np.log2(np.maximum(mk, _FLOOR) / np.maximum(uk, _FLOOR)), 0.0)
        for mk, uk in zip(m, u, strict=True)
    ]


def pair_weights(gamma: Levels, weights: Sequence[Floats]) -> Floats:
    """Per pair and comparison, the match weight of its level (n_pairs x n_comparisons)."""
    out = np.empty(gamma.shape, dtype=np.float64)
    for k, table in enumerate(weights):
        out[:, k] = table[gamma[:, k]]
    return out


def group_starts(left: Indices) -> Indices:
    """Where each left record's run of pairs begins (pairs sorted by left record)."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, left[1:] != left[:-1]]).astype(np.int64)


def log2_odds(prior: float, population: int) -> float:
    """log2 of q = (prior / population) / (1 - prior), a candidate's prior odds."""
    prior = min(max(prior, _FLOOR), 1 - 1e-6)
    return float(np.log2(prior / max(population, 1)) - np.log2(1 - prior))


def pairwise_posteriors(total: Floats, odds: float) -> Floats:
    """Posterior of each pair on its own: 1 / (1 + 2^-(odds + weight))."""
    result: Floats = 1.0 / (1.0 + np.exp2(-(total + odds)))
    return result


def log2_pair_odds(prior: float) -> float:
    """log2 of prior / (1 - prior), the prior odds of a pair (pairwise)."""
    prior = min(max(prior, _FLOOR), 1 - 1e-6)
    return float(np.log2(prior) - np.log2(1 - prior))


def posteriors(
    total: Floats, starts: Indices, odds: float | Floats, sizes: Indices | None = None
) -> Floats:
    """Posterior of each candidate (runs beginning at ``starts``, of ``sizes`` pairs when
    known), one-to-one; ``odds`` is the log2 prior odds of a candidate, one for all or one
    per pair."""
    if len(total) == 0:
        return np.zeros(0)
    x = total + odds
    if sizes is None:
        sizes = np.diff(np.append(starts, len(total)))
    if float(np.abs(x).max()) < _NO_OVERFLOW:
        scaled = np.exp2(x)
        denominator = np.repeat(np.add.reduceat(scaled, starts), sizes) + 1.0
    else:  # shift each run by its largest score so that exp2 cannot overflow
        top = np.repeat(np.maximum(np.maximum.reduceat(x, starts), 0.0), sizes)
        scaled = np.exp2(x - top)
        denominator = np.repeat(np.add.reduceat(scaled, starts), sizes) + np.exp2(-top)
    result: Floats = scaled / denominator
    return result


# -- u: all pairs -----------------------------------------------------------------------


def background_counts(
    gamma: Levels, n_levels: Sequence[int], pairs: float, pseudo: float = 0.5
) -> list[Floats]:
    """Expected level counts among ``pairs`` non-candidate pairs, from a random sample of
    them (``gamma``): each level's share of the sample (NULL included) times ``pairs``,
    plus ``pseudo`` pairs per level (a level the sample missed is rare, not impossible)."""
    out = []
    for k, size in enumerate(n_levels):
        column = gamma[:, k]
        counts = np.bincount(column[column >= 0], minlength=size).astype(np.float64)
        out.append(counts / max(len(column), 1) * pairs + pseudo)
    return out


def all_pairs_u(gamma: Levels, background: Sequence[Floats]) -> list[Floats]:
    """u from every pair, taken as non-matching (matches are a vanishing share of all
    pairs): the candidates' level counts plus the background's."""
    out = []
    for k, counts in enumerate(background):
        column = gamma[:, k]
        levels = np.bincount(column[column >= 0], minlength=len(counts)) + counts
        out.append(levels / levels.sum())
    return out


def initial_m(n_levels: Sequence[int]) -> list[Floats]:
    """A start for EM: stronger (earlier) levels are likelier among matches."""
    out = []
    for size in n_levels:
        raw = np.linspace(size, 1, size) ** 2
        out.append(raw / raw.sum())
    return out


def patterns(gamma: Levels) -> tuple[Levels, Indices]:
    """The distinct rows of ``gamma`` (comparison patterns) and, per row, its pattern: pairs
    of one pattern weigh the same, so EM works on a few hundred patterns, not every pair."""
    if len(gamma) == 0:
        return gamma[:0], np.zeros(0, dtype=np.int64)
    shifted = gamma.astype(np.int64) + 1  # NULL (-1) -> 0
    base = int(shifted.max()) + 1
    code = np.zeros(len(gamma), dtype=np.int64)
    for k in range(gamma.shape[1]):
        code = code * base + shifted[:, k]
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    distinct: Levels = gamma[first]
    return distinct, inverse.reshape(-1).astype(np.int64)


def _m_step(column: Levels, mass: Floats, size: int) -> Floats:
    """m of one comparison from the matching mass of each pattern (``column``: its level)."""
    valid = column >= 0
    counts = np.bincount(column[valid], weights=mass[valid], minlength=size) + _SMOOTHING
    result: Floats = counts / counts.sum()
    return result


# -- estimators -------------------------------------------------------------------------


def estimate_by_sessions(
    gamma: Levels,
    n_levels: Sequence[int],
    background: Sequence[Floats],
    sessions: Sequence[Session],
    *,
    left: Indices,
    population: int,
    groups: int,
    one_to_one: bool = True,
    max_iterations: int = 500,
    tolerance: float = 1e-6,
) -> Estimates:
    """u from all pairs; m from EM sessions (u held fixed); then the prior.

    Sessions are one-to-one within the session (each record matches at most one of its
    session candidates); the final prior is one-to-one or, with ``one_to_one`` false (for
    duplicates within one set, where a person may have several records), pairwise: the
    share of matching pairs among all ``groups`` pairs.

    In a session, each record matches one of its session candidates (uniformly) with a
    probability the session estimates, since the comparisons that chose the candidates
    are left out. A session needs two comparisons or more (one alone cannot tell matches
    from non-matches). A comparison's m is the average over the sessions that used it,
    weighted by their expected matches; a comparison no session uses keeps EM's start.
    """
    u = all_pairs_u(gamma, background)
    start = initial_m(n_levels)
    sums = [np.zeros(size) for size in n_levels]
    weights = np.zeros(len(n_levels))
    total_iterations, all_converged = 0, True
    for session in sessions:
        rows = np.flatnonzero(session.rows)
        if len(rows) == 0:
            continue
        distinct, pattern = patterns(gamma[rows])
        starts = group_starts(left[rows])
        sizes = np.diff(np.append(starts, len(rows)))
        log2_candidates = np.log2(np.repeat(sizes, sizes).astype(np.float64))
        keep = [k for k in range(len(n_levels)) if k not in session.held_out]
        m_now = [x.copy() for x in start]
        prior, converged, iterations = 0.5, False, 0
        p = np.zeros(len(rows))
        for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported below
            table = level_weights(m_now, u)
            by_pattern = np.zeros(len(distinct))
            for k in keep:
                by_pattern += table[k][distinct[:, k]]
            # Within a session, a record's prior is spread over its session candidates
            # only: the held-out comparisons, which chose them, are not in the weights.
            odds = (np.log2(prior) - np.log2(1 - prior)) - log2_candidates
            p = posteriors(by_pattern[pattern], starts, odds, sizes)
            mass: Floats = np.bincount(pattern, weights=p, minlength=len(distinct)).astype(
                np.float64
            )
            change = 0.0
            for k in keep:
                new = _m_step(distinct[:, k], mass, n_levels[k])
                change = max(change, float(np.abs(new - m_now[k]).max()))
                m_now[k] = new
            prior = min(max(float(p.sum() / max(len(starts), 1)), _FLOOR), 1 - 1e-6)
            if change < tolerance:
                converged = True
                break
        total_iterations += iterations
        all_converged = all_converged and converged
        expected = float(p.sum())
        for k in keep:
            sums[k] += expected * m_now[k]
            weights[k] += expected
    m = [sums[k] / weights[k] if weights[k] > 0 else start[k] for k in range(len(n_levels))]
    prior = estimate_prior(gamma, m, u, left=left, population=population, groups=groups,
                           one_to_one=one_to_one)  # fmt: skip
    return Estimates(m, u, prior, total_iterations, all_converged)


def estimate_prior(
    gamma: Levels,
    m: Sequence[Floats],
    u: Sequence[Floats],
    *,
    left: Indices,
    population: int,
    groups: int,
    one_to_one: bool = True,
    extra: Floats | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> float:
    """By EM with m and u fixed (``extra``: per-pair bits added to the weights): the share
    of the ``groups`` left records that match some candidate (one-to-one), or the share of
    matching pairs among ``groups`` pairs (pairwise)."""
    total = pair_weights(gamma, level_weights(m, u)).sum(axis=1)
    if extra is not None:
        total = total + extra
    starts = group_starts(left)
    sizes = np.diff(np.append(starts, len(total)))
    prior = 0.5
    if not one_to_one:
        prior = 1.0 / max(groups, 1)
    for _ in range(max_iterations):
        if one_to_one:
            p = posteriors(total, starts, log2_odds(prior, population), sizes)
        else:
            p = pairwise_posteriors(total, log2_pair_odds(prior))
        new = min(max(float(p.sum() / max(groups, 1)), _FLOOR), 1 - 1e-6)
        if abs(new - prior) < tolerance:
            return new
        prior = new
    return prior


# -- term frequency ---------------------------------------------------------------------


def tf_means(
    column: Levels, share: Floats, tf_levels: frozenset[int], q: Floats
) -> dict[int, float]:
    """Per TF level, the mean name share of the pairs at that level, weighted by their
    probability of not matching (``q``)."""
    means = {}
    for level in tf_levels:
        rows = (column == level) & (share > 0)
        weight = float(q[rows].sum())
        if weight > 0:
            means[level] = float((q[rows] * share[rows]).sum() / weight)
    return means


def tf_bits(
    column: Levels, share: Floats, tf_levels: frozenset[int], means: dict[int, float], cap: float
) -> Floats:
    """Per pair, log2(mean share at its level / its name's share), within +-cap bits; 0
    off the TF levels or when the name's share is unknown (0)."""
    out = np.zeros(len(share), dtype=np.float64)
    for level in tf_levels:
        mean = means.get(level, 0.0)
        rows = (column == level) & (share > 0)
        if mean > 0 and rows.any():
            out[rows] = np.clip(np.log2(mean / share[rows]), -cap, cap)
    return out
