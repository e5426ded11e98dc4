import numpy as np
import pytest

from analytics import bgnbd, clv, gamma_gamma
from analytics.fitting import FitError
from tests.unit.analytics.cdnow import calibration

PAPER = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def test_the_time_unit_scales_alpha_only():
    s = list(calibration().values())[:800]
    x = np.array([c.frequency for c in s], dtype=float)
    weeks = bgnbd.fit(x, [c.recency for c in s], [c.age for c in s]).params
    days = bgnbd.fit(x, [c.recency * 7 for c in s], [c.age * 7 for c in s]).params
    assert days.alpha == pytest.approx(7 * weeks.alpha, rel=1e-3)
    for name in ("r", "a", "b"):
        assert getattr(days, name) == pytest.approx(getattr(weeks, name), rel=1e-3)


def test_one_time_buyers_are_alive_and_repeat_buyers_fade_with_silence():
    alive = bgnbd.probability_alive(PAPER, [0, 3, 3], [0.0, 30.0, 5.0], [38.0, 38.0, 38.0])
    assert alive[0] == 1.0
    assert 1.0 > alive[1] > alive[2] > 0.0


def test_expected_purchases_grow_with_the_horizon_and_vanish_at_zero():
    at = [bgnbd.expected_purchases(PAPER, h, [2], [20.0], [30.0])[0] for h in (0, 10, 52, 520)]
    assert at[0] == 0.0
    assert at[0] < at[1] < at[2] < at[3]


def test_the_conditional_forecast_of_a_new_customer_is_the_unconditional_one():
    new = bgnbd.expected_purchases(PAPER, 26.0, [0], [0.0], [0.0])[0]
    assert new == pytest.approx(bgnbd.expected_purchases_new(PAPER, 26.0)[0], rel=1e-9)


@pytest.mark.parametrize(
    ("x", "t_x", "age", "message"),
    [
        ([1.5], [1.0], [2.0], "whole numbers"),
        ([-1], [1.0], [2.0], "whole numbers"),
        ([1], [3.0], [2.0], "within 0..T"),
        ([1], [0.0], [2.0], "t_x > 0"),
        ([1, 2], [1.0], [2.0], "same length"),
        ([float("nan")], [1.0], [2.0], "finite"),
    ],
)
def test_malformed_summaries_are_refused(x, t_x, age, message):
    with pytest.raises(ValueError, match=message):
        bgnbd.fit(x, t_x, age)


def test_data_that_cannot_identify_the_model_is_a_fit_error():
    with pytest.raises(FitError, match="no customers"):
        bgnbd.fit([], [], [])
    with pytest.raises(FitError, match="bought twice"):
        bgnbd.fit([0, 0], [0.0, 0.0], [5.0, 9.0])
    with pytest.raises(FitError, match="fewer than 2"):
        gamma_gamma.fit([0, 1], [0.0, 12.0])


def test_a_negative_horizon_is_refused():
    with pytest.raises(ValueError, match="horizon"):
        bgnbd.expected_purchases(PAPER, -1.0, [1], [1.0], [2.0])


def test_summarize_merges_same_day_purchases_and_ignores_the_future():
    s = clv.summarize([(10, 5.0), (3, 20.0), (10.5, 7.0), (17, 30.0), (99, 1.0)], as_of=31)
    assert s == clv.Summary(frequency=2, recency=14.0, age=28.0, mean_repeat_value=21.0)
    assert clv.summarize([(40, 1.0)], as_of=31) is None
    with pytest.raises(ValueError, match="unit"):
        clv.summarize([], as_of=0, unit=0)


def test_without_repeat_spend_the_model_predicts_purchases_but_no_value():
    summaries = [
        clv.Summary(frequency=f, recency=r, age=60.0, mean_repeat_value=0.0)
        for f, r in [(0, 0.0), (2, 30.0), (1, 50.0), (4, 58.0), (0, 0.0)]
    ]
    model = clv.fit(summaries)
    assert model.spend is None
    p = clv.predict(model, summaries[1], 30.0)
    assert p.expected_purchases > 0 and p.value is None
