"""What the maximum-likelihood fits share: input arrays, duplicate rows, the optimiser."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

Array = NDArray[np.float64]


class FitError(ValueError):
    """The data cannot identify the model, or the optimiser did not converge."""


def as_array(values: ArrayLike) -> Array:
    """``values`` as a 1-d float array; raises ValueError for non-finite values."""
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise ValueError("expected a 1-d sequence of numbers")
    if not np.isfinite(array).all():
        raise ValueError("values must be finite numbers")
    return array


def compress(*columns: Array) -> tuple[tuple[Array, ...], Array]:
    """The distinct rows of ``columns`` and how often each occurs.

    Customers with the same summary have the same likelihood: many share one (every
    one-time buyer of a day has x = 0, t_x = 0 and the same T), so the optimiser
    evaluates each distinct row once, weighted by its count.
    """
    stacked = np.column_stack(columns)
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return tuple(rows[:, i] for i in range(rows.shape[1])), counts.astype(np.float64)


def minimise_log_params(objective: Callable[[Array], float], start: Array) -> Array:
    """The argmin of ``objective`` over log-parameters (so every parameter stays > 0).

    Nelder-Mead first (robust from a poor start, needs no gradient), then L-BFGS-B to
    polish to a tight optimum; the paper's figures are matched to 3 significant digits.
    Raises FitError when the optimum is not finite.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):

        def bounded(theta: Array) -> float:
            # Steps far outside the plausible range overflow; a large finite value steers
            # the optimiser back instead of stopping it with nan.
            value = objective(np.clip(theta, -30.0, 30.0))
            return value if np.isfinite(value) else 1e300

        rough = optimize.minimize(
            bounded, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6}
        )
        polished = optimize.minimize(
            bounded, rough.x, method="L-BFGS-B", options={"ftol": 1e-14, "gtol": 1e-9}
        )
    best = polished if polished.fun <= rough.fun else rough
    if not np.isfinite(best.fun) or best.fun >= 1e300:
        raise FitError(f"the optimiser found no finite optimum ({best.message})")
    theta: Array = np.clip(best.x, -30.0, 30.0)
    return theta
