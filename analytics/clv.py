"""Predicted customer value: BG/NBD purchases x Gamma-Gamma spend, from purchase histories.

``summarize`` turns one customer's purchases into the models' sufficient statistics;
``fit`` fits both models on many customers; ``predict`` gives one customer's expected
purchases in a horizon, probability of being alive and predicted spend over the horizon.
The models: analytics/bgnbd.py and analytics/gamma_gamma.py; validation on CDNOW and the
limits: docs/predictions.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analytics import bgnbd, gamma_gamma
from analytics.fitting import FitError


@dataclass(frozen=True)
class Summary:
    """One customer's repeat-purchase statistics at a point in time (times in one unit).

    Purchases on the same day are one purchase occasion (their values add up), as in the
    CDNOW studies: several orders placed together are one shopping trip.
    """

    frequency: int  # repeat purchase occasions: occasions after the first
    recency: float  # time from the first occasion to the last
    age: float  # time from the first occasion to ``as_of``
    mean_repeat_value: float  # mean value of the repeat occasions; 0.0 with none


def summarize(
    purchases: Iterable[tuple[float, float]], as_of: float, unit: float = 1.0
) -> Summary | None:
    """The summary of ``(day, value)`` purchases made up to ``as_of`` (a day number).

    ``day`` is a whole or fractional day number; the summary's times are in ``unit``
    days (7.0: weeks). Purchases after ``as_of`` are left out (they had not happened).
    Returns None when none is left: a customer who never bought has no rhythm to model.
    Raises ValueError for a unit <= 0.
    """
    if unit <= 0:
        raise ValueError("unit must be > 0")
    occasions: dict[int, float] = defaultdict(float)
    for day, value in purchases:
        if day <= as_of:
            occasions[math.floor(day)] += value
    if not occasions:
        return None
    days = sorted(occasions)
    repeat_values = [occasions[d] for d in days[1:]]
    return Summary(
        frequency=len(days) - 1,
        recency=(days[-1] - days[0]) / unit,
        age=(as_of - days[0]) / unit,
        mean_repeat_value=math.fsum(repeat_values) / len(repeat_values) if repeat_values else 0.0,
    )


@dataclass(frozen=True)
class ClvModel:
    """Fitted value models, in the summaries' time unit (the hub: days).

    ``spend`` is None when it could not be fitted.
    """

    purchases: bgnbd.BgNbdParams
    spend: gamma_gamma.GammaGammaParams | None
    customers: int
    repeat_buyers: int


@dataclass(frozen=True)
class Prediction:
    """One customer's prediction over a horizon (in the summaries' time unit)."""

    horizon: float
    expected_purchases: float
    probability_alive: float
    expected_spend_per_purchase: float | None  # None without a spend model
    value: float | None  # expected spend over the horizon; None without a spend model


def _columns(summaries: Sequence[Summary]) -> tuple[NDArray[np.float64], ...]:
    return (
        np.array([s.frequency for s in summaries], dtype=np.float64),
        np.array([s.recency for s in summaries], dtype=np.float64),
        np.array([s.age for s in summaries], dtype=np.float64),
        np.array([s.mean_repeat_value for s in summaries], dtype=np.float64),
    )


def fit(summaries: Sequence[Summary]) -> ClvModel:
    """Both models fitted on these customers' summaries.

    The spend model is left out (``spend`` None) when fewer than 2 customers bought again
    with a positive value, or its fit gives a population mean that is not finite (q <= 1).
    Raises FitError when the purchase model cannot be fitted (see bgnbd.fit).
    """
    x, t_x, age, m_x = _columns(summaries)
    purchases = bgnbd.fit(x, t_x, age).params
    spend: gamma_gamma.GammaGammaParams | None
    try:
        spend = gamma_gamma.fit(x, m_x).params
    except FitError:
        spend = None
    if spend is not None and not math.isfinite(spend.population_mean):
        spend = None
    return ClvModel(purchases, spend, len(summaries), int((x > 0).sum()))


def predict(model: ClvModel, summary: Summary, horizon: float) -> Prediction:
    """``summary``'s expected purchases, P(alive) and value over the next ``horizon``.

    Raises ValueError for a negative horizon.
    """
    x, t_x, age = [summary.frequency], [summary.recency], [summary.age]
    expected = float(bgnbd.expected_purchases(model.purchases, horizon, x, t_x, age)[0])
    alive = float(bgnbd.probability_alive(model.purchases, x, t_x, age)[0])
    if model.spend is None:
        return Prediction(horizon, expected, alive, None, None)
    per_purchase = float(gamma_gamma.expected_spend(model.spend, x, [summary.mean_repeat_value])[0])
    return Prediction(horizon, expected, alive, per_purchase, expected * per_purchase)
