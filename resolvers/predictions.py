"""Predicted value and churn from models fitted on the graph and kept in it.

``fit_models`` (`hub predict fit`) reads the purchase histories, fits the value model
(BG/NBD + Gamma-Gamma) and the churn model (analytics/) globally or per brand, and stores
each as a `PredictionModel` node (graph/predictions.py). The customer-360 reads the
stored fit (``stored_models``, once per request) and predicts for one customer
(``predict_value``, ``predict_churn``). Docs: docs/predictions.md.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics import churn, clv, stored
from analytics.fitting import FitError
from graph import predictions as q
from graph.store import GraphStore, Record
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input

DAY_MS = 86_400_000
SCOPES = ("global", "brand")
KINDS = ("value", "churn")
MAX_HORIZON_DAYS = 3650


def scope_id(brand: str | None) -> str:
    return "global" if brand is None else f"brand:{brand}"


@dataclass(frozen=True)
class FitResult:
    """One model fitted (``params`` set) or skipped (``skipped`` says why)."""

    kind: str
    scope: str
    customers: int
    params: dict[str, Any] | None
    skipped: str | None = None


def _history(row: Record) -> churn.History:
    return churn.History(
        purchases=[(int(at) / DAY_MS, float(total or 0)) for at, total in row["purchases"]],
        interaction_days=[int(at) / DAY_MS for at in row["interactions"] or [] if at is not None],
        complaint_days=[int(at) / DAY_MS for at in row["complaints"] or [] if at is not None],
    )


def fit_histories(
    histories: list[churn.History], as_of_day: float, horizon_days: float, scope: str
) -> list[FitResult]:
    """Both models on ``histories`` as of ``as_of_day``; a model that cannot be fitted is
    skipped with the reason (too few customers, or a history shorter than twice the
    churn horizon)."""
    results = []
    summaries = [s for h in histories if (s := clv.summarize(h.purchases, as_of_day))]
    try:
        value = clv.fit(summaries)
        results.append(FitResult("value", scope, len(summaries), stored.value_params(value)))
    except FitError as e:
        results.append(FitResult("value", scope, len(summaries), None, str(e)))
    try:
        params, x, y = churn.training_set(histories, as_of_day, horizon_days)
        model = churn.fit(params, x, y, horizon_days)
        results.append(FitResult("churn", scope, len(y), stored.churn_params(model)))
    except FitError as e:
        results.append(FitResult("churn", scope, 0, None, str(e)))
    return results


async def fit_models(
    store: GraphStore,
    scope: str,
    as_of_ms: int,
    horizon_days: float,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[FitResult]:
    """Fit and store the models of ``scope`` (global, or one pair per brand) as of
    ``as_of_ms``; returns what was fitted or skipped. Raises ValueError for an unknown
    scope."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    brands: list[str | None] = [None]
    if scope == "brand":
        brands = [r["id"] for r in await store.read(q.BRAND_KEYS)]
    results = []
    for brand in brands:
        on_step(f"reading {scope_id(brand)}")
        rows = await store.read(q.HISTORIES, {"brand": brand})
        on_step(f"fitting {scope_id(brand)} ({len(rows):,} customers)")
        fitted = fit_histories([_history(r) for r in rows], as_of_ms / DAY_MS, horizon_days,
                               scope_id(brand))  # fmt: skip
        for result in fitted:
            if result.params is not None:
                await store.write(
                    q.SAVE_MODEL,
                    {"id": f"{result.kind}:{result.scope}", "kind": result.kind,
                     "scope": result.scope, "version": stored.VERSION,
                     "fitted_at": int(time.time() * 1000), "as_of": as_of_ms,
                     "customers": result.customers, "params": json.dumps(result.params)},
                )  # fmt: skip
        results += fitted
    return results


@dataclass(frozen=True)
class StoredModel:
    kind: str
    scope: str
    fitted_at: int
    params: dict[str, Any]


async def stored_model(ctx: Context, kind: str, brand: str | None) -> StoredModel:
    """The stored fit of ``kind`` for ``brand`` (None: global), read once per request.
    Raises NOT_FOUND when none is stored (run `hub predict fit`)."""
    model_id = f"{kind}:{scope_id(brand)}"

    async def read() -> list[Record]:
        return await ctx.store.read(q.MODELS, {"ids": [model_id]})

    rows = await ctx.once(("prediction-model", model_id), read)
    if not rows or rows[0]["model"].get("version") != stored.VERSION:
        raise ApiError(
            f"no {kind} model fitted for {scope_id(brand)}: run `hub predict fit`",
            ErrorCode.NOT_FOUND,
        )
    m = rows[0]["model"]
    return StoredModel(kind, m["scope"], int(m["fitted_at"]), json.loads(m["params"]))


def customer_history(facts: Record, brand: str | None) -> churn.History:
    """One customer's history from the customer-360's metrics facts (graph/reads.py):
    purchases at ``brand`` only when given."""
    purchases = [(int(at) / DAY_MS, float(total or 0))
                 for at, total, b in facts.get("brand_purchases") or []
                 if at is not None and (brand is None or b == brand)]  # fmt: skip
    if brand is None:  # purchases without a brand count for the global model
        purchases = [(int(at) / DAY_MS, float(total or 0))
                     for at, total in facts.get("purchases") or [] if at is not None]  # fmt: skip
    return churn.History(
        purchases=purchases,
        interaction_days=[int(a) / DAY_MS for a in facts.get("interaction_at") or [] if a],
        complaint_days=[int(a) / DAY_MS for a in facts.get("complaint_at") or [] if a],
    )


def check_horizon(horizon_days: float) -> None:
    if not 0 < horizon_days <= MAX_HORIZON_DAYS:
        raise bad_input(f"horizonDays must be within 1..{MAX_HORIZON_DAYS}", "horizonDays")


def predict_value(
    model: StoredModel, history: churn.History, as_of_ms: int, horizon_days: float
) -> clv.Prediction | None:
    """Expected purchases, P(alive) and value over the horizon; None without a purchase."""
    summary = clv.summarize(history.purchases, as_of_ms / DAY_MS)
    if summary is None:
        return None
    return clv.predict(stored.value_model(model.params), summary, horizon_days)


def predict_churn(
    model: StoredModel, history: churn.History, as_of_ms: int
) -> churn.ChurnPrediction | None:
    """P(no purchase in the model's horizon) with its top reasons; None without a purchase."""
    return churn.predict(stored.churn_model(model.params), history, as_of_ms / DAY_MS)


async def churn_rates(
    ctx: Context, group_by: str, as_of_ms: int, horizon_days: int
) -> list[dict[str, Any]]:
    """Observed churn by segment or by cohort (month of first purchase): of the customers
    who had bought before ``as_of - horizon``, how many bought nothing since."""
    if not 0 < horizon_days <= MAX_HORIZON_DAYS:
        raise bad_input(f"horizonDays must be within 1..{MAX_HORIZON_DAYS}", "horizonDays")
    query = q.CHURN_BY_SEGMENT if group_by == "segment" else q.CHURN_BY_COHORT
    rows = await ctx.store.read(
        query,
        {"as_of": as_of_ms, "cutoff": as_of_ms - horizon_days * DAY_MS,
         "include_restricted": ctx.principal.sees_restricted},
    )  # fmt: skip
    return [
        {"group": None if r["grp"] is None else str(r["grp"]), "name": r["name"],
         "customers": int(r["customers"]), "churned": int(r["churned"]),
         "rate": int(r["churned"]) / int(r["customers"])}
        for r in rows
    ]  # fmt: skip
