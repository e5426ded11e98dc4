"""Churn probability per customer, with its reasons: a logistic model on RFM and engagement.

Churn here is measurable: **no purchase in the next ``horizon_days``**. The features are
the BG/NBD probability of no purchase in the horizon (analytics/bgnbd.py), recency
against the customer's own rhythm (the ratio the hub's rule-of-thumb churn risk uses,
resolvers/metrics.py, recomputed here because analytics/ imports nothing of ours),
recency, purchase occasions, spend, recent social interactions and complaints. A
logistic regression (L2, fitted with scipy) weighs them; the reasons are the features
that push a customer's probability up the most. Training needs no labels from the
future: ``training_set`` takes features at ``as_of - horizon`` and labels from the
horizon that followed. Evaluation and limits: docs/predictions.md.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from analytics import bgnbd, clv
from analytics.fitting import FitError

Array = NDArray[np.float64]
FEATURES = (
    "no_purchase_probability",
    "gap_ratio",
    "days_since_purchase",
    "purchase_occasions",
    "spend",
    "recent_interactions",
    "complaints",
)
RECENT_DAYS = 90  # interactions in the last 90 days count as recent engagement
DEFAULT_GAP_DAYS = 90.0  # with one purchase day, as the rule assumes (MetricsConfig)


@dataclass(frozen=True)
class History:
    """One customer's activity as plain values: days are UTC day numbers."""

    purchases: Sequence[tuple[float, float]]  # (day, value)
    interaction_days: Sequence[float] = ()
    complaint_days: Sequence[float] = ()


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn model: BG/NBD parameters (days), horizon, logistic weights."""

    purchases: bgnbd.BgNbdParams
    horizon_days: float
    intercept: float
    weights: tuple[float, ...]  # per FEATURES, on standardised features
    means: tuple[float, ...]
    scales: tuple[float, ...]


@dataclass(frozen=True)
class Reason:
    """A feature that raises the churn probability, in words, and its weight (log-odds)."""

    feature: str
    contribution: float
    text: str


@dataclass(frozen=True)
class ChurnPrediction:
    probability: float  # of no purchase in the horizon
    no_purchase_probability: float  # the BG/NBD part alone
    reasons: tuple[Reason, ...]  # most important first; empty when nothing raises it


def no_purchase_probability(
    params: bgnbd.BgNbdParams, summary: clv.Summary, horizon: float
) -> float:
    """BG/NBD P(no purchase in (T, T + horizon] | x, t_x, T).

    Dead (dropped out after the last purchase), or alive and the Poisson process with the
    posterior rate Gamma(r + x, alpha + T) gives no event in the horizon.
    """
    x, t_x, age = [summary.frequency], [summary.recency], [summary.age]
    alive = float(bgnbd.probability_alive(params, x, t_x, age)[0])
    r, alpha = params.r + summary.frequency, params.alpha + summary.age
    silent_if_alive = math.exp(r * (math.log(alpha) - math.log(alpha + horizon)))
    return (1.0 - alive) + alive * silent_if_alive


def _gap_ratio(days: list[int], as_of: float) -> float:
    gap = float(statistics.median(b - a for a, b in pairwise(days))) if len(days) > 1 else 0.0
    return (as_of - days[-1]) / (gap or DEFAULT_GAP_DAYS)


def features(
    params: bgnbd.BgNbdParams, history: History, as_of: float, horizon: float
) -> Array | None:
    """The FEATURES of ``history`` as of day ``as_of``; None without a purchase by then."""
    summary = clv.summarize(history.purchases, as_of)
    if summary is None:
        return None
    days = sorted({math.floor(d) for d, _ in history.purchases if d <= as_of})
    spend = math.fsum(v for d, v in history.purchases if d <= as_of)
    recent = sum(1 for d in history.interaction_days if as_of - RECENT_DAYS < d <= as_of)
    return np.array(
        [
            no_purchase_probability(params, summary, horizon),
            min(_gap_ratio(days, as_of), 50.0),  # capped: beyond 50 gaps it says no more
            math.log1p(as_of - days[-1]),
            math.log1p(len(days)),
            math.log1p(max(spend, 0.0)),
            math.log1p(recent),
            float(sum(1 for d in history.complaint_days if d <= as_of)),
        ]
    )


def bought_within(history: History, start: float, end: float) -> bool:
    """Whether ``history`` has a purchase in (start, end]."""
    return any(start < d <= end for d, _ in history.purchases)


def fit_purchases(histories: Sequence[History], as_of: float) -> bgnbd.BgNbdParams:
    """BG/NBD parameters (days) from the histories up to ``as_of``; raises FitError."""
    summaries = [s for h in histories if (s := clv.summarize(h.purchases, as_of)) is not None]
    return bgnbd.fit(
        [s.frequency for s in summaries], [s.recency for s in summaries], [s.age for s in summaries]
    ).params


def training_set(
    histories: Sequence[History], as_of: float, horizon: float
) -> tuple[bgnbd.BgNbdParams, Array, Array]:
    """BG/NBD parameters, features at ``as_of - horizon`` and churn labels (1: no purchase
    in the horizon that followed) for every customer who had bought by then.

    Raises FitError when the purchase model cannot be fitted at that cutoff.
    """
    cutoff = as_of - horizon
    params = fit_purchases(histories, cutoff)
    rows, labels = [], []
    for h in histories:
        row = features(params, h, cutoff, horizon)
        if row is not None:
            rows.append(row)
            labels.append(0.0 if bought_within(h, cutoff, as_of) else 1.0)
    return params, np.array(rows), np.array(labels)


def fit(
    params: bgnbd.BgNbdParams, x: Array, y: Array, horizon: float, l2: float = 1.0
) -> ChurnModel:
    """A logistic regression of churn labels ``y`` on feature rows ``x``.

    Raises FitError when both outcomes are not present or the optimiser fails.
    """
    if len(x) != len(y) or len(y) == 0 or not (0 < y.mean() < 1):
        raise FitError("need feature rows and labels of both classes")
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0  # a constant feature: weight stays ~0 under the penalty
    z = np.column_stack([np.ones(len(x)), (x - means) / scales])

    def loss(w: Array) -> tuple[float, Array]:
        logits = z @ w
        # log(1 + e^l) - y*l, stably; the penalty spares the intercept.
        value = float(np.sum(np.logaddexp(0.0, logits) - y * logits)) + l2 * float(w[1:] @ w[1:])
        grad = z.T @ (special.expit(logits) - y)
        grad[1:] += 2 * l2 * w[1:]
        return value, grad

    result = optimize.minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B")
    # L-BFGS-B may stop with "abnormal termination" at a flat optimum: only a non-finite
    # loss means there is no model.
    if not np.isfinite(result.fun):
        raise FitError(f"the churn model did not converge ({result.message})")
    w = result.x
    return ChurnModel(
        params,
        horizon,
        float(w[0]),
        tuple(map(float, w[1:])),
        tuple(map(float, means)),
        tuple(map(float, scales)),
    )


def _reason_text(feature: str, value: float, model: ChurnModel) -> str:
    horizon = f"{model.horizon_days:g} days"
    match feature:
        case "no_purchase_probability":
            return f"purchase model: {value:.0%} chance of no purchase in {horizon}"
        case "gap_ratio":
            return f"{value:.1f}x the customer's usual gap since the last purchase"
        case "days_since_purchase":
            return f"no purchase for {math.expm1(value):.0f} days"
        case "purchase_occasions":
            return f"only {math.expm1(value):.0f} purchase day(s)"
        case "spend":
            return f"low spend so far ({math.expm1(value):.2f})"
        case "recent_interactions":
            return f"{math.expm1(value):.0f} social interactions in the last {RECENT_DAYS} days"
        case _:
            return f"{value:g} complaints filed"


def predict(model: ChurnModel, history: History, as_of: float) -> ChurnPrediction | None:
    """The churn probability of ``history`` as of day ``as_of`` with its top 3 reasons.

    None when the customer had not bought by then (no rhythm to lose).
    """
    row = features(model.purchases, history, as_of, model.horizon_days)
    if row is None:
        return None
    z = (row - np.array(model.means)) / np.array(model.scales)
    contributions = np.array(model.weights) * z
    probability = float(special.expit(model.intercept + contributions.sum()))
    ranked = sorted(
        (i for i in range(len(FEATURES)) if contributions[i] > 0.05),
        key=lambda i: -contributions[i],
    )[:3]
    reasons = tuple(
        Reason(FEATURES[i], float(contributions[i]), _reason_text(FEATURES[i], row[i], model))
        for i in ranked
    )
    return ChurnPrediction(probability, float(row[0]), reasons)


def predict_many(model: ChurnModel, x: Array) -> Array:
    """Churn probabilities for feature rows ``x`` (as ``features`` returns them)."""
    z = (x - np.array(model.means)) / np.array(model.scales)
    result: Array = special.expit(model.intercept + z @ np.array(model.weights))
    return result
