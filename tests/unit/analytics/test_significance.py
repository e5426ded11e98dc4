"""The two-proportion z-test against a computation written out here, and its edges."""

import math

import pytest

from analytics.significance import two_proportion_z_test


def test_against_a_worked_example():
    # 30 of 100 in A, 45 of 100 in B: pooled 75/200 = 0.375,
    # se = sqrt(0.375 * 0.625 * 0.02) = 0.0684653..., z = 0.15 / se = 2.19089...
    t = two_proportion_z_test(30, 100, 45, 100)
    se = math.sqrt(0.375 * 0.625 * (1 / 100 + 1 / 100))
    assert t.delta == pytest.approx(0.15)
    assert t.z == pytest.approx(0.15 / se)
    assert t.z == pytest.approx(2.1909, abs=1e-4)
    # two-sided p of z = 2.19089: 2 * (1 - Phi(2.19089)) = 0.02846
    assert t.p_value == pytest.approx(0.02846, abs=1e-4)


def test_no_variance_or_no_population_has_no_test():
    assert two_proportion_z_test(0, 10, 0, 20).z is None
    empty = two_proportion_z_test(0, 0, 3, 10)
    assert empty.share_a is None and empty.delta is None and empty.p_value is None


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        two_proportion_z_test(11, 10, 1, 10)
