"""The Fellegi-Sunter machinery on data drawn from known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from identity import fellegi_sunter as fs

# Three comparisons, like a name (strong), a birth year and a place (weaker).
M = [np.array([0.8, 0.15, 0.05]), np.array([0.6, 0.3, 0.1]), np.array([0.5, 0.4, 0.1])]
U = [np.array([0.0005, 0.01, 0.9895]), np.array([0.02, 0.08, 0.9]), np.array([0.05, 0.15, 0.8])]


def simulate(seed: int = 1, accounts: int = 3000, population: int = 1000, prior: float = 0.6):
    """Each account belongs to a random customer with probability ``prior``; every pair's
    levels are drawn from M (the owner) or U (anyone else), and blocking proposes the pairs
    whose first comparison (the name) agrees at level 0 or 1, as real blocking does. The
    other pairs are the background: their expected level counts, as a sample would give."""
    rng = np.random.default_rng(seed)
    owners = np.flatnonzero(rng.random(accounts) < prior)
    others = rng.binomial(population - 1, U[0][:2].sum(), size=accounts)
    left = np.concatenate([owners, np.repeat(np.arange(accounts), others)])
    match = np.r_[np.ones(len(owners), bool), np.zeros(int(others.sum()), bool)]
    gamma = np.empty((len(left), len(M)), dtype=np.int8)
    for k in range(len(M)):
        gamma[:, k] = np.where(match, rng.choice(3, len(left), p=M[k]),
                               rng.choice(3, len(left), p=U[k]))  # fmt: skip
    # Non-owners are proposed only when their names agree (level 0 or 1, as U gives them).
    gamma[~match, 0] = rng.choice(2, int((~match).sum()), p=U[0][:2] / U[0][:2].sum())
    keep = gamma[:, 0] < 2  # blocking misses owners whose names do not agree
    order = np.argsort(left[keep], kind="stable")
    gamma, left, match = gamma[keep][order], left[keep][order], match[keep][order]
    outside = accounts * population - len(left)
    background = [np.array([0.0, 0.0, outside])] + [u * outside for u in U[1:]]
    return gamma, left.astype(np.int64), background, match


# Among proposed pairs, the name's m is M[0] without its last level (never proposed).
M_PROPOSED = [M[0] * [1, 1, 0] / M[0][:2].sum(), M[1], M[2]]


def test_a_session_learns_m_of_the_comparisons_its_blocking_did_not_choose_on() -> None:
    gamma, left, background, _ = simulate(seed=2)
    # Every pair was proposed because the names agree: the session leaves the name out,
    # learns m of the others; the name keeps EM's start (no session learns it here).
    sessions = [fs.Session(np.ones(len(gamma), dtype=bool), frozenset({0}))]
    estimates = fs.estimate_by_sessions(
        gamma, [3, 3, 3], background, sessions, left=left, population=1000, groups=3000
    )
    for got, want in zip(estimates.m[1:], M[1:], strict=True):
        np.testing.assert_allclose(got, want, atol=0.06)
    np.testing.assert_allclose(estimates.m[0], fs.initial_m([3])[0])
    # u comes from all pairs: the proposed ones and the background alike.
    for got, want in zip(estimates.u[1:], U[1:], strict=True):
        np.testing.assert_allclose(got, want, atol=0.01)
    assert estimates.converged
    assert estimates.prior == pytest.approx(0.6 * M[0][:2].sum(), abs=0.05)


def test_posteriors_are_calibrated_on_data_from_the_model() -> None:
    gamma, left, _, match = simulate(seed=3)
    total = fs.pair_weights(gamma, fs.level_weights(M, U)).sum(axis=1)
    p = fs.posteriors(total, fs.group_starts(left), fs.log2_odds(0.6, 1000))
    for low, high in ((0.0, 0.2), (0.2, 0.8), (0.8, 1.01)):
        rows = (p >= low) & (p < high)
        assert abs(p[rows].mean() - match[rows].mean()) < 0.05


def test_one_to_one_namesakes_share_the_probability() -> None:
    starts = np.array([0, 1], dtype=np.int64)  # account 0: one candidate; account 1: two
    total = np.array([20.0, 20.0, 20.0])
    p = fs.posteriors(total, starts, fs.log2_odds(0.5, 1000))
    assert p[0] == pytest.approx(p[1] + p[2], abs=1e-3)
    assert p[1] == pytest.approx(p[2])
    assert p[1] + p[2] < 1


def test_extreme_weights_do_not_overflow() -> None:
    starts = np.array([0], dtype=np.int64)
    p = fs.posteriors(np.array([5000.0, -5000.0]), starts, 0.0)
    assert np.isfinite(p).all()
    assert p[0] == pytest.approx(1.0) and p[1] == pytest.approx(0.0)
    assert len(fs.posteriors(np.zeros(0), np.zeros(0, dtype=np.int64), 0.0)) == 0


def test_term_frequency_bits_favour_rare_names_and_are_capped() -> None:
    column = np.array([0, 0, 0, 1], dtype=np.int8)
    share = np.array([0.004, 0.00001, 0.0, 0.01])
    bits = fs.tf_bits(column, share, frozenset({0}), {0: 0.001}, cap=3.0)
    assert bits[0] == pytest.approx(-2.0)  # four times as common as usual: 2 bits less
    assert bits[1] == pytest.approx(3.0)  # a hundred times rarer: more, capped at 3 bits
    assert bits[2] == 0.0 and bits[3] == 0.0  # unknown name, or not a TF level
