"""Predictions fitted on the graph and served from the stored fit, on both engines.

The graph holds the CDNOW sample (2,357 customers, loaders/cdnow.py): fitted through the
graph, BG/NBD and Gamma-Gamma give the parameters fitted on the records themselves (and
the paper's, in days); the customer-360 predicts with the stored fit what analytics/
predicts; restricted customers are left out of fits and of churn rates.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analytics import churn, clv, stored
from graph import predictions as q
from graph import subject
from loaders.cdnow import CALIBRATION_END_DAY, COHORT_START, HOLDOUT_END_DAY, read_purchases
from loaders.pipeline import write_records
from loaders.recipes import cdnow_sample_path
from resolvers.predictions import DAY_MS, fit_models
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, errors_of, run

HISTORY = read_purchases(cdnow_sample_path())
START_MS = int(datetime(1997, 1, 1, tzinfo=UTC).timestamp() * 1000)
START_DAY = START_MS // DAY_MS
SEGMENT_A = {f"{k:04d}" for k in range(1, 301)}  # customers 0001..0300: segment s-a


def day_ms(day: float) -> int:
    return START_MS + int(day * DAY_MS)


def iso(day: float) -> str:
    return datetime.fromtimestamp(day_ms(day) / 1000, UTC).isoformat()


# The end of week 39 as the studies count it: day 272 (purchases are at midnight UTC).
AS_OF_MS = day_ms(CALIBRATION_END_DAY)


async def load_cdnow(store: Any) -> None:
    now = day_ms(HOLDOUT_END_DAY + 10)
    purchases = [
        {"id": f"{c}-{n}", "customer_id": c, "brand_id": "cdnow", "at": day_ms(day),
         "total": dollars, "currency": "USD"}
        for c, bought in HISTORY.items() for n, (day, dollars) in enumerate(bought)
    ]  # fmt: skip
    for kind, rows in [
        ("brands", [{"id": "cdnow", "name": "CDNOW"}]),
        ("segments", [{"id": "s-a", "name": "A"}]),
        ("customers", [{"id": c} for c in HISTORY]),
        ("customer_segments", [{"customer_id": c, "segment_id": "s-a"} for c in SEGMENT_A]),
        ("purchases", purchases),
    ]:
        await write_records(store, kind, rows, now)


@pytest.fixture
async def cdnow(store):
    await load_cdnow(store)
    store.statements.clear()
    return store


def expected_value_model(leave_out: frozenset[str] = frozenset()) -> clv.ClvModel:
    """The value model fitted on the records (days since 1997-01-01), not the graph."""
    summaries = [
        s for c, bought in HISTORY.items() if c not in leave_out
        if (s := clv.summarize(bought, CALIBRATION_END_DAY)) is not None
    ]  # fmt: skip
    return clv.fit(summaries)


PREDICTIONS = """query($id: ID!, $asOf: DateTime, $horizon: Float!, $brand: ID) {
  customer(id: $id) { metrics(asOf: $asOf) {
    predictedValue(horizonDays: $horizon, brandId: $brand) {
      horizonDays expectedPurchases probabilityAlive expectedSpendPerPurchase value fittedAt }
    churnProbability(brandId: $brand) {
      probability horizonDays noPurchaseProbability reasons { feature text } fittedAt }
  } }
}"""


async def test_the_fit_through_the_graph_is_the_fit_on_the_records(cdnow):
    results = await fit_models(cdnow, "global", AS_OF_MS, 180.0)
    assert [(r.kind, r.scope, r.skipped) for r in results] == [
        ("value", "global", None), ("churn", "global", None)
    ]  # fmt: skip
    value = stored.value_model(results[0].params or {})
    expected = expected_value_model()
    p, e = value.purchases, expected.purchases
    assert (p.r, p.alpha, p.a, p.b) == pytest.approx((e.r, e.alpha, e.a, e.b), rel=1e-6)
    # and the paper's (Fader, Hardie and Lee 2005), alpha in days = weeks x 7
    assert (p.r, p.alpha / 7, p.a, p.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), rel=0.01)
    assert value.spend is not None and expected.spend is not None
    assert (value.spend.p, value.spend.q, value.spend.gamma) == pytest.approx(
        (6.25, 3.74, 15.44), rel=0.01
    )
    assert (value.customers, value.repeat_buyers) == (2357, 946)
    # stored as system nodes with the fit date
    rows = await cdnow.read(q.MODELS, {"ids": ["value:global", "churn:global"]})
    nodes = {r["model"]["kind"]: r["model"] for r in rows}
    assert set(nodes) == {"value", "churn"}
    assert nodes["value"]["version"] == stored.VERSION and nodes["value"]["as_of"] == AS_OF_MS
    assert json.loads(nodes["value"]["params"]) == results[0].params
    assert nodes["churn"]["fitted_at"] > 0 and json.loads(nodes["churn"]["params"])[
        "horizon_days"] == 180.0  # fmt: skip
    # a refit replaces them
    await fit_models(cdnow, "global", AS_OF_MS, 180.0)
    assert len(await cdnow.read("MATCH (m:PredictionModel) RETURN m.id AS id")) == 2


async def test_the_customer_360_predicts_from_the_stored_fit(cdnow):
    results = await fit_models(cdnow, "global", AS_OF_MS, 180.0)
    cdnow.statements.clear()
    data = await run(cdnow, PREDICTIONS, ANALYST, id="1516", asOf=iso(CALIBRATION_END_DAY),
                     horizon=273.0)  # fmt: skip
    metrics = data["customer"]["metrics"]
    value, risk = metrics["predictedValue"], metrics["churnProbability"]
    # What analytics/ predicts with the same stored parameters, for the same history
    as_of_day = day_ms(CALIBRATION_END_DAY) / DAY_MS
    history = [((day_ms(d)) / DAY_MS, v) for d, v in HISTORY["1516"]]
    summary = clv.summarize(history, as_of_day)
    assert summary is not None
    expected = clv.predict(stored.value_model(results[0].params or {}), summary, 273.0)
    assert value["expectedPurchases"] == pytest.approx(expected.expected_purchases, rel=1e-9)
    assert value["probabilityAlive"] == pytest.approx(expected.probability_alive, rel=1e-9)
    assert value["value"] == pytest.approx(expected.value, rel=1e-9)
    # docs/predictions.md's worked example, fitted in weeks: 20.7 purchases, alive 0.97
    assert (value["expectedPurchases"], value["probabilityAlive"]) == pytest.approx(
        (20.7, 0.97), abs=0.05
    )
    model = stored.churn_model(results[1].params or {})
    expected_risk = churn.predict(model, churn.History(history), as_of_day)
    assert expected_risk is not None
    assert risk["probability"] == pytest.approx(expected_risk.probability, rel=1e-9)
    assert [r["text"] for r in risk["reasons"]] == [r.text for r in expected_risk.reasons]
    assert risk["horizonDays"] == 180.0
    # one read of each stored model per request, whatever the fields asking
    assert sum("PredictionModel" in s for s in cdnow.statements) == 2


async def test_per_brand_fits_and_restricted_customers(cdnow):
    await cdnow.write(subject.RESTRICT, {"id": "1516", "restricted": True, "now": AS_OF_MS})
    results = await fit_models(cdnow, "brand", AS_OF_MS, 180.0)
    assert [(r.kind, r.scope) for r in results] == [("value", "brand:cdnow"),
                                                   ("churn", "brand:cdnow")]  # fmt: skip
    # the restricted customer's purchases are not processed
    value = stored.value_model(results[0].params or {})
    assert value.customers == 2356
    e = expected_value_model(frozenset({"1516"})).purchases
    assert value.purchases.r == pytest.approx(e.r, rel=1e-6)
    # the brand's fit serves the brand's purchases; no global fit was made
    data = await run(cdnow, PREDICTIONS, ANALYST, id="0001", asOf=iso(CALIBRATION_END_DAY),
                     horizon=30.0, brand="cdnow")  # fmt: skip
    assert data["customer"]["metrics"]["predictedValue"]["horizonDays"] == 30.0
    errors = await errors_of(cdnow, PREDICTIONS, ANALYST, id="0001", horizon=30.0)
    assert errors[0]["code"] == "NOT_FOUND" and "hub predict fit" in errors[0]["message"]
    # the restricted customer is seen by admins only, as everywhere
    hidden = await errors_of(cdnow, PREDICTIONS, ANALYST, id="1516", horizon=30.0, brand="cdnow")
    assert hidden[0]["code"] in ("FORBIDDEN", "NOT_FOUND")
    admin = await run(cdnow, PREDICTIONS, ADMIN, id="1516", horizon=30.0, brand="cdnow")
    assert admin["customer"]["metrics"]["predictedValue"]["expectedPurchases"] > 0


async def test_bad_horizon_gets_a_code(cdnow):
    await fit_models(cdnow, "global", AS_OF_MS, 180.0)
    errors = await errors_of(cdnow, PREDICTIONS, APP, id="0001", horizon=0.0)
    assert (errors[0]["code"], errors[0]["argument"]) == ("BAD_USER_INPUT", "horizonDays")


CHURN_RATES = """query($by: ChurnGroup!, $horizon: Int, $asOf: DateTime) {
  churnRates(groupBy: $by, horizonDays: $horizon, asOf: $asOf) {
    totalCount nodes { group groupName customers churned rate } }
}"""


def expected_rates(
    group: Any, leave_out: frozenset[str] = frozenset()
) -> dict[Any, tuple[int, int]]:
    """(customers, churned) by group from the records: bought before day 272, and not in
    days 272..544 (as of the end of the holdout, a 273-day horizon)."""
    out: dict[Any, list[int]] = {}
    for c, bought in HISTORY.items():
        days = [d for d, _ in bought]
        if c in leave_out or not any(d < CALIBRATION_END_DAY for d in days):
            continue
        counts = out.setdefault(group(c, min(days)), [0, 0])
        counts[0] += 1
        counts[1] += not any(CALIBRATION_END_DAY <= d < HOLDOUT_END_DAY for d in days)
    return {k: (v[0], v[1]) for k, v in out.items()}


def cohort(_: str, first_day: int) -> str:
    return (COHORT_START + timedelta(days=first_day)).strftime("%Y-%m")


def segment(c: str, _: int) -> str | None:
    return "s-a" if c in SEGMENT_A else None


async def test_churn_rates_by_segment_and_cohort(cdnow):
    await cdnow.write(subject.RESTRICT, {"id": "0007", "restricted": True, "now": AS_OF_MS})
    args = {"horizon": HOLDOUT_END_DAY - CALIBRATION_END_DAY, "asOf": iso(HOLDOUT_END_DAY)}
    for principal, leave_out in ((ANALYST, frozenset({"0007"})), (ADMIN, frozenset())):
        for by, group in (("COHORT", cohort), ("SEGMENT", segment)):
            data = (await run(cdnow, CHURN_RATES, principal, by=by, **args))["churnRates"]
            found = {n["group"]: (n["customers"], n["churned"]) for n in data["nodes"]}
            assert found == expected_rates(group, leave_out)
            assert all(n["rate"] == n["churned"] / n["customers"] for n in data["nodes"])
    assert set(found) == {None, "s-a"}  # the CDNOW cohort's three months, or the segment
    errors = await errors_of(cdnow, CHURN_RATES, APP, by="COHORT")
    assert errors[0]["code"] == "FORBIDDEN"
