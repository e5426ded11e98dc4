"""Predicted value and churn probability on the customer-360's metrics, from the fit
stored in the graph (`hub predict fit`; docs/predictions.md)."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import predictions as p
from resolvers.context import Context, Record
from resolvers.ids import key_for
from schema.base import ms_to_datetime

BrandArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Use the brand's own fit and the purchases at it (HUB_PREDICT_SCOPE=brand); "
        "null: the global fit and every purchase."
    ),
]


@strawberry.type(description="Predicted purchases and value over a horizon (BG/NBD + Gamma-Gamma).")
class PredictedValue:
    horizon_days: float = strawberry.field(description="The horizon, in days.")
    expected_purchases: float = strawberry.field(
        description="Expected purchase occasions (days with a purchase) in the horizon."
    )
    probability_alive: float = strawberry.field(
        description="Probability that the customer is still buying."
    )
    expected_spend_per_purchase: float | None = strawberry.field(
        description="Gamma-Gamma spend per occasion; null when no spend model could be fitted."
    )
    value: float | None = strawberry.field(
        description="expectedPurchases x expectedSpendPerPurchase, in the amounts as recorded."
    )
    fitted_at: datetime = strawberry.field(description="When the model was fitted.")


@strawberry.type(description="A feature that raises the churn probability, in words.")
class ChurnReason:
    feature: str = strawberry.field(description="The feature, e.g. `gap_ratio`.")
    contribution: float = strawberry.field(description="What it adds to the log-odds.")
    text: str = strawberry.field(description="The reason in words.")


@strawberry.type(description="Probability of no purchase in the model's horizon, with reasons.")
class ChurnProbability:
    probability: float = strawberry.field(description="0..1.")
    horizon_days: float = strawberry.field(description="The horizon the model was fitted for.")
    no_purchase_probability: float = strawberry.field(
        description="The BG/NBD part alone: P(no purchase in the horizon)."
    )
    reasons: list[ChurnReason] = strawberry.field(description="Top reasons, strongest first.")
    fitted_at: datetime = strawberry.field(description="When the model was fitted.")


def _fitted(ms: int) -> datetime:
    when = ms_to_datetime(ms)
    assert when is not None
    return when


@strawberry.type
class PredictionFields:
    """Fields of CustomerMetrics that read a stored fit: ``_facts`` is the customer's
    metrics part, ``_as_of_ms`` the metrics' time."""

    _facts: strawberry.Private[Record]
    _as_of_ms: strawberry.Private[int]

    @strawberry.field(
        description="Predicted purchases, probability alive and value over the horizon, from "
        "the stored fit; null when the customer never bought. NOT_FOUND when no model is fitted."
    )
    async def predicted_value(
        self, info: Info[Context, None],
        horizon_days: Annotated[float, strawberry.argument(
            description="The horizon in days (1..3650).")] = 365.0,
        brand_id: BrandArgument = None,
    ) -> PredictedValue | None:  # fmt: skip
        p.check_horizon(horizon_days)
        brand = key_for("Brand", brand_id, "brandId") if brand_id is not None else None
        model = await p.stored_model(info.context, "value", brand)
        found = p.predict_value(
            model, p.customer_history(self._facts, brand), self._as_of_ms, horizon_days
        )
        if found is None:
            return None
        return PredictedValue(
            horizon_days=horizon_days, expected_purchases=found.expected_purchases,
            probability_alive=found.probability_alive,
            expected_spend_per_purchase=found.expected_spend_per_purchase, value=found.value,
            fitted_at=_fitted(model.fitted_at),
        )  # fmt: skip

    @strawberry.field(
        description="Probability of no purchase in the churn model's horizon, with its top "
        "reasons; null when the customer never bought. NOT_FOUND when no model is fitted."
    )
    async def churn_probability(
        self, info: Info[Context, None], brand_id: BrandArgument = None
    ) -> ChurnProbability | None:
        brand = key_for("Brand", brand_id, "brandId") if brand_id is not None else None
        model = await p.stored_model(info.context, "churn", brand)
        found = p.predict_churn(model, p.customer_history(self._facts, brand), self._as_of_ms)
        if found is None:
            return None
        return ChurnProbability(
            probability=found.probability,
            horizon_days=float(model.params["horizon_days"]),
            no_purchase_probability=found.no_purchase_probability,
            reasons=[ChurnReason(feature=r.feature, contribution=r.contribution, text=r.text)
                     for r in found.reasons],
            fitted_at=_fitted(model.fitted_at),
        )  # fmt: skip
