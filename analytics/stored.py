"""Fitted models as plain JSON-able parameters and back, so the hub can keep them in the
graph (a `PredictionModel` node) and predict without refitting. Raises ValueError for
parameters of another shape or version."""

from __future__ import annotations

from typing import Any

from analytics import bgnbd, churn, clv, gamma_gamma

VERSION = 1  # bump when the parameters' meaning or shape changes


def value_params(model: clv.ClvModel) -> dict[str, Any]:
    """The value model (BG/NBD + Gamma-Gamma, times in days) as plain values."""
    p, s = model.purchases, model.spend
    return {
        "bgnbd": {"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b},
        "gamma_gamma": None if s is None else {"p": s.p, "q": s.q, "gamma": s.gamma},
        "customers": model.customers,
        "repeat_buyers": model.repeat_buyers,
    }


def value_model(params: dict[str, Any]) -> clv.ClvModel:
    """The value model back from ``value_params``' output."""
    try:
        spend = params["gamma_gamma"]
        return clv.ClvModel(
            bgnbd.BgNbdParams(**params["bgnbd"]),
            None if spend is None else gamma_gamma.GammaGammaParams(**spend),
            int(params["customers"]),
            int(params["repeat_buyers"]),
        )
    except (KeyError, TypeError) as e:
        raise ValueError(f"not value-model parameters: {e}") from None


def churn_params(model: churn.ChurnModel) -> dict[str, Any]:
    """The churn model (its BG/NBD part, horizon and logistic weights) as plain values."""
    p = model.purchases
    return {
        "bgnbd": {"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b},
        "horizon_days": model.horizon_days,
        "intercept": model.intercept,
        "features": list(churn.FEATURES),
        "weights": list(model.weights),
        "means": list(model.means),
        "scales": list(model.scales),
    }


def churn_model(params: dict[str, Any]) -> churn.ChurnModel:
    """The churn model back from ``churn_params``' output."""
    try:
        if list(params["features"]) != list(churn.FEATURES):
            raise ValueError("fitted on other features: refit")
        return churn.ChurnModel(
            bgnbd.BgNbdParams(**params["bgnbd"]),
            float(params["horizon_days"]),
            float(params["intercept"]),
            tuple(map(float, params["weights"])),
            tuple(map(float, params["means"])),
            tuple(map(float, params["scales"])),
        )
    except (KeyError, TypeError) as e:
        raise ValueError(f"not churn-model parameters: {e}") from None
