"""analytics/stored.py: a fitted model survives the trip through JSON, and other shapes are
refused."""

import json

import pytest

from analytics import bgnbd, churn, clv, gamma_gamma, stored

VALUE = clv.ClvModel(
    bgnbd.BgNbdParams(0.24, 30.9, 0.79, 2.43), gamma_gamma.GammaGammaParams(6.25, 3.74, 15.44),
    2357, 946,
)  # fmt: skip
CHURN = churn.ChurnModel(
    bgnbd.BgNbdParams(0.3, 20.0, 0.5, 2.0), 90.0, -0.4, tuple(0.1 * i for i in range(7)),
    tuple(float(i) for i in range(7)), tuple(1.0 + i for i in range(7)),
)  # fmt: skip


def test_value_model_round_trip() -> None:
    assert stored.value_model(json.loads(json.dumps(stored.value_params(VALUE)))) == VALUE
    without_spend = clv.ClvModel(VALUE.purchases, None, 10, 0)
    assert stored.value_model(stored.value_params(without_spend)) == without_spend


def test_churn_model_round_trip() -> None:
    assert stored.churn_model(json.loads(json.dumps(stored.churn_params(CHURN)))) == CHURN


@pytest.mark.parametrize(
    "params",
    [{}, {"bgnbd": {"r": 1.0}}, {**stored.churn_params(CHURN), "features": ["spend"]}],
)
def test_other_shapes_are_refused(params: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        stored.churn_model(params)
    with pytest.raises(ValueError):
        stored.value_model(params)
