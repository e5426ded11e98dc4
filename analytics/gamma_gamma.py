"""The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee, JMR 2005).

A customer's purchase values vary around their own mean value; that mean varies across
customers as an inverse gamma, so a customer's average ``m_x`` over ``x`` purchases is
shrunk towards the population mean, more so the fewer purchases it rests on. Fitted by
maximum likelihood on the closed-form likelihood of (x, m_x) for customers with x > 0.
The model assumes spend independent of purchase frequency: check before trusting it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from analytics.fitting import Array, FitError, as_array, compress, minimise_log_params


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (the paper's p, q and gamma)."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean(self) -> float:
        """Mean spend per purchase across customers: p * gamma / (q - 1); inf if q <= 1."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


@dataclass(frozen=True)
class GammaGammaFit:
    """A Gamma-Gamma fit: its parameters, the log-likelihood and how many customers."""

    params: GammaGammaParams
    log_likelihood: float
    customers: int


def _check(x: Array, m_x: Array) -> None:
    if len(x) != len(m_x):
        raise ValueError("x and m_x must have the same length")
    if (x < 0).any() or (x != np.floor(x)).any():
        raise ValueError("x (purchases) must be whole numbers >= 0")
    if (m_x < 0).any():
        raise ValueError("m_x (average spend) must be >= 0")


def log_likelihood(params: GammaGammaParams, x: ArrayLike, m_x: ArrayLike) -> Array:
    """Log-likelihood of each (x, m_x), x > 0 and m_x > 0, under ``params`` (an array)."""
    p, q, g = params.p, params.q, params.gamma
    x, m_x = as_array(x), as_array(m_x)
    result: Array = (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m_x)
        + p * x * np.log(x)
        - (p * x + q) * np.log(g + m_x * x)
    )
    return result


def fit(x: ArrayLike, m_x: ArrayLike) -> GammaGammaFit:
    """The maximum-likelihood Gamma-Gamma parameters from customers' (x, m_x).

    Customers with x = 0 or m_x = 0 say nothing about spend and are left out. Raises
    ValueError on malformed input and FitError with fewer than 2 customers left.
    """
    x, m_x = as_array(x), as_array(m_x)
    _check(x, m_x)
    used = (x > 0) & (m_x > 0)
    if used.sum() < 2:
        raise FitError("fewer than 2 customers with purchases and spend: nothing to fit")
    (ux, um), weights = compress(x[used], m_x[used])

    def negative_ll(theta: Array) -> float:
        params = GammaGammaParams(*np.exp(theta))
        return -float(np.dot(weights, log_likelihood(params, ux, um)))

    start = np.log([1.0, 1.0, float(np.mean(um))])
    theta = minimise_log_params(negative_ll, start)
    fitted = GammaGammaParams(*map(float, np.exp(theta)))
    return GammaGammaFit(fitted, -negative_ll(theta), int(used.sum()))


def expected_spend(params: GammaGammaParams, x: ArrayLike, m_x: ArrayLike) -> Array:
    """E[spend per purchase | x, m_x] per customer: the population mean for x = 0.

    A weighted average of the population mean and the customer's own mean, the weight
    of the latter growing with x.
    """
    p, q, g = params.p, params.q, params.gamma
    x, m_x = as_array(x), as_array(m_x)
    _check(x, m_x)
    result: Array = (g + m_x * x) * p / (p * x + q - 1)
    return result


__all__ = [
    "FitError",
    "GammaGammaFit",
    "GammaGammaParams",
    "expected_spend",
    "fit",
    "log_likelihood",
]
