"""The BG/NBD model of repeat purchasing (Fader, Hardie and Lee, Marketing Science 2005).

While alive, a customer buys as a Poisson process (rate ~ Gamma(r, alpha) across
customers); after every purchase they drop out with probability p (p ~ Beta(a, b)). From
each customer's repeat purchases ``x``, the time of the last one ``t_x`` and their age
``T`` (both since the first purchase, in one time unit), the parameters are fitted by
maximum likelihood on the closed-form log-likelihood (the paper's equation 6), and give
per customer the expected purchases in a horizon and the probability of being alive.

Times may be in any unit (the paper uses weeks, the hub days): ``alpha`` scales with it,
``r``, ``a`` and ``b`` do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from analytics.fitting import FitError, as_array, compress, minimise_log_params

Array = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class BgNbdFit:
    """A BG/NBD fit: its parameters, the maximised log-likelihood and how many customers."""

    params: BgNbdParams
    log_likelihood: float
    customers: int


def _check(x: Array, t_x: Array, age: Array) -> None:
    if not (len(x) == len(t_x) == len(age)):
        raise ValueError("x, t_x and T must have the same length")
    if (x < 0).any() or (x != np.floor(x)).any():
        raise ValueError("x (repeat purchases) must be whole numbers >= 0")
    if (t_x < 0).any() or (t_x > age).any():
        raise ValueError("t_x must be within 0..T")
    if ((x > 0) & (t_x <= 0)).any():
        raise ValueError("a customer with repeat purchases needs t_x > 0")


def log_likelihood(
    params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """The log-likelihood of each customer's (x, t_x, T) under ``params`` (an array)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, age = as_array(x), as_array(t_x), as_array(age)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ratio = special.betaln(a, b + x) - special.betaln(a, b)
    still_alive = beta_ratio - (r + x) * np.log(alpha + age)
    # The second term exists only for repeat buyers (they may have died after the last
    # purchase); its Beta(a+1, b+x-1) is undefined at x = 0, so it is computed only there.
    repeat = x > 0
    died = np.full_like(x, -np.inf)
    xr = x[repeat]
    died[repeat] = (
        special.betaln(a + 1, b + xr - 1)
        - special.betaln(a, b)
        - (r + xr) * np.log(alpha + t_x[repeat])
    )
    result: NDArray[np.float64] = common + np.logaddexp(still_alive, died)
    return result


def fit(x: ArrayLike, t_x: ArrayLike, age: ArrayLike) -> BgNbdFit:
    """The maximum-likelihood BG/NBD parameters for these customers.

    Raises ValueError on malformed input (negative or fractional counts, t_x outside
    0..T, arrays of different lengths) and FitError when the data cannot identify the
    model: no customers, no repeat purchases at all, or an optimiser that fails.
    """
    x, t_x, age = as_array(x), as_array(t_x), as_array(age)
    _check(x, t_x, age)
    if len(x) == 0:
        raise FitError("no customers to fit")
    if not (x > 0).any():
        raise FitError("no customer bought twice: the purchase rate cannot be estimated")
    (ux, ut, ua), weights = compress(x, t_x, age)

    def negative_ll(theta: Array) -> float:
        params = BgNbdParams(*np.exp(theta))
        return -float(np.dot(weights, log_likelihood(params, ux, ut, ua)))

    # Start from the method-of-moments-free defaults the literature uses (all ones, alpha
    # at the mean age), so the fit does not depend on the time unit.
    start = np.log([1.0, float(np.mean(age)) or 1.0, 1.0, 1.0])
    theta = minimise_log_params(negative_ll, start)
    return BgNbdFit(BgNbdParams(*map(float, np.exp(theta))), -negative_ll(theta), len(x))


def _alive_odds(params: BgNbdParams, x: Array, t_x: Array, age: Array) -> Array:
    """Odds of having dropped out after the last purchase, against being alive (0 at x=0)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    odds = np.zeros_like(x)
    repeat = x > 0
    xr = x[repeat]
    odds[repeat] = (a / (b + xr - 1)) * np.exp(
        (r + xr) * (np.log(alpha + age[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return odds


def probability_alive(
    params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """P(still a customer at T | x, t_x, T) for each customer (1.0 for x = 0)."""
    x, t_x, age = as_array(x), as_array(t_x), as_array(age)
    _check(x, t_x, age)
    result: NDArray[np.float64] = 1.0 / (1.0 + _alive_odds(params, x, t_x, age))
    return result


def expected_purchases(
    params: BgNbdParams, horizon: float, x: ArrayLike, t_x: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """E[purchases in (T, T + horizon] | x, t_x, T] for each customer (the paper's eq. 10).

    Raises ValueError for a negative horizon.
    """
    if horizon < 0:
        raise ValueError("horizon must be >= 0")
    x, t_x, age = as_array(x), as_array(t_x), as_array(age)
    _check(x, t_x, age)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = horizon / (alpha + age + horizon)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    survival = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + horizon)))
    numerator = (a + b + x - 1) / (a - 1) * (1.0 - survival * hyp)
    result: NDArray[np.float64] = numerator / (1.0 + _alive_odds(params, x, t_x, age))
    return result


def expected_purchases_new(params: BgNbdParams, t: ArrayLike) -> NDArray[np.float64]:
    """E[repeat purchases in (0, t]] of a customer just acquired (the paper's eq. 9)."""
    t = as_array(t)
    if (t < 0).any():
        raise ValueError("t must be >= 0")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    result: NDArray[np.float64] = (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyp)
    return result


__all__ = [
    "BgNbdFit",
    "BgNbdParams",
    "FitError",
    "expected_purchases",
    "expected_purchases_new",
    "fit",
    "log_likelihood",
    "probability_alive",
]
