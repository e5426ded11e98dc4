"""Significance of a difference between two proportions: the two-proportion z-test.

Pure functions over counts (no graph, no clock). Used to re-test a finding period over
period (docs/audiences.md): "k1 of n1 in period A, k2 of n2 in period B".
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ProportionTest:
    """Period B against period A: shares, their difference, and the pooled two-sided
    z-test (z and p are None when either period has no one, or when both shares are 0 or
    both are 1: there is no variance to test against)."""

    share_a: float | None
    share_b: float | None
    delta: float | None  # share_b - share_a
    z: float | None
    p_value: float | None


def two_proportion_z_test(k_a: int, n_a: int, k_b: int, n_b: int) -> ProportionTest:
    """Pooled two-proportion z-test of k_b/n_b against k_a/n_a, two-sided:
    p = (k_a + k_b) / (n_a + n_b), se = sqrt(p (1 - p) (1/n_a + 1/n_b)),
    z = (k_b/n_b - k_a/n_a) / se, p-value = erfc(|z| / sqrt 2).
    Raises ValueError for counts that are negative or larger than their population."""
    for k, n in ((k_a, n_a), (k_b, n_b)):
        if n < 0 or not 0 <= k <= max(n, 0):
            raise ValueError(f"{k} of {n} is not a proportion")
    share_a = k_a / n_a if n_a else None
    share_b = k_b / n_b if n_b else None
    if share_a is None or share_b is None:
        return ProportionTest(share_a, share_b, None, None, None)
    delta = share_b - share_a
    pooled = (k_a + k_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return ProportionTest(share_a, share_b, delta, None, None)
    z = delta / se
    return ProportionTest(share_a, share_b, delta, z, math.erfc(abs(z) / math.sqrt(2)))
