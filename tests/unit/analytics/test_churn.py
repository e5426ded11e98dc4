import random
from functools import cache

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from analytics import bgnbd, churn
from analytics.evaluation import auc, brier
from analytics.fitting import FitError
from loaders.cdnow import CALIBRATION_END_DAY, HOLDOUT_END_DAY
from resolvers.metrics import MetricsConfig, churn_risk
from tests.unit.analytics.cdnow import purchases

PAPER_DAYS = bgnbd.BgNbdParams(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
HORIZON = float(HOLDOUT_END_DAY - CALIBRATION_END_DAY)


def test_auc_and_brier_equal_sklearn():
    rng = random.Random(5)
    y = [rng.random() < 0.3 for _ in range(500)]
    p = [round(rng.random(), 2) for _ in range(500)]  # rounded: ties count one half
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    with pytest.raises(ValueError, match="both present"):
        auc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match=r"0\.\.1"):
        brier([1], [1.5])


def test_no_purchase_probability_is_one_at_no_horizon_and_falls_with_it():
    s = churn.clv.Summary(frequency=0, recency=0.0, age=100.0, mean_repeat_value=0.0)
    p = [churn.no_purchase_probability(PAPER_DAYS, s, h) for h in (0.0, 30.0, 365.0)]
    assert p[0] == 1.0 and p[0] > p[1] > p[2]
    # A one-time buyer cannot have dropped out: only the Poisson silence is left.
    assert p[2] == pytest.approx(((31.0 + 100) / (31.0 + 100 + 365)) ** 0.243, rel=1e-3)


@cache
def cdnow_split() -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], object]:
    """Features, labels and the rule's risk at the end of week 39, by half of the sample."""
    histories = {c: churn.History(p) for c, p in purchases().items()}
    params = churn.fit_purchases(list(histories.values()), CALIBRATION_END_DAY)
    halves: dict[str, tuple[list, list, list]] = {"train": ([], [], []), "test": ([], [], [])}
    for customer, h in histories.items():
        rows, labels, rule = halves["train" if int(customer) % 2 == 0 else "test"]
        rows.append(churn.features(params, h, CALIBRATION_END_DAY, HORIZON))
        labels.append(0.0 if churn.bought_within(h, CALIBRATION_END_DAY, HOLDOUT_END_DAY) else 1.0)
        days = [d for d, _ in h.purchases if d <= CALIBRATION_END_DAY]
        rule.append(churn_risk(days, CALIBRATION_END_DAY, MetricsConfig()).risk)
    return {k: (np.array(r), np.array(y), np.array(q)) for k, (r, y, q) in halves.items()}, params


def test_churn_model_beats_the_rule_by_at_least_005_auc_on_the_cdnow_sample():
    """Time split (weeks 1-39 -> 40-78), trained on even ids, measured on odd ids."""
    halves, params = cdnow_split()
    x, y, _ = halves["train"]
    model = churn.fit(params, x, y, HORIZON)
    x, y, rule = halves["test"]
    probabilities = churn.predict_many(model, x)
    assert auc(y, probabilities) >= auc(y, rule) + 0.05
    assert brier(y, probabilities) < brier(y, rule)


def test_reasons_name_what_raises_the_probability():
    halves, params = cdnow_split()
    x, y, _ = halves["train"]
    model = churn.fit(params, x, y, HORIZON)
    loyal = churn.History([(d, 20.0) for d in range(0, 270, 15)])
    lapsed = churn.History([(0, 20.0), (10, 20.0), (20, 20.0)])
    a = churn.predict(model, loyal, CALIBRATION_END_DAY)
    b = churn.predict(model, lapsed, CALIBRATION_END_DAY)
    assert a is not None and b is not None
    assert a.probability < 0.5 < b.probability
    assert b.reasons and b.reasons[0].contribution >= b.reasons[-1].contribution > 0
    assert any("no purchase for 252 days" in r.text or "usual gap" in r.text for r in b.reasons)
    assert churn.predict(model, churn.History([]), CALIBRATION_END_DAY) is None


def test_one_class_labels_cannot_be_fitted():
    with pytest.raises(FitError, match="both classes"):
        churn.fit(PAPER_DAYS, np.ones((3, len(churn.FEATURES))), np.ones(3), 30.0)
