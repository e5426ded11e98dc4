"""Predictions and patterns for data teams (docs/predictions.md): the market basket's
fields (schema/basket.py), the fraud signals (schema/fraud.py), recommendations
(schema/recommend.py) and observed churn rates by segment and cohort, composed into one
class for schema/__init__.py. The per-customer predictions are on the customer-360's
metrics (schema/customer_predictions.py)."""

import time
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import predictions as p
from resolvers.context import Context
from resolvers.selection import to_epoch_ms
from schema.base import Connection
from schema.basket import BasketQueries
from schema.fraud import FraudQueries
from schema.network import After, First, _month, _page, _value
from schema.recommend import RecommendationQueries


@strawberry.enum(description="How customers are grouped for churn rates.")
class ChurnGroup(Enum):
    SEGMENT = strawberry.enum_value("segment", description="By marketing segment (IN_SEGMENT).")
    COHORT = strawberry.enum_value(
        "cohort", description="By the month of the first purchase (UTC)."
    )


@strawberry.type(
    description="Observed churn in one group: of the customers who had bought before the "
    "horizon began, those who bought nothing in it."
)
class ChurnRate:
    group: str | None = strawberry.field(
        description="The segment key or the cohort month `YYYY-MM`; null: no segment."
    )
    group_name: str | None = strawberry.field(description="The segment's name.")
    customers: int = strawberry.field(description="Customers who had bought before the horizon.")
    churned: int = strawberry.field(description="Of those, customers with no purchase in it.")
    rate: float = strawberry.field(description="churned / customers.")


@strawberry.type
class PredictionQueries(BasketQueries, FraudQueries, RecommendationQueries):
    @strawberry.field(
        description="Observed churn rate by segment or by cohort: no purchase in the "
        "`horizonDays` before `asOf`, among customers who had bought before."
    )
    async def churn_rates(
        self, info: Info[Context, None],
        group_by: Annotated[ChurnGroup, strawberry.argument(
            description="Segments or cohorts.")],
        horizon_days: Annotated[int, strawberry.argument(
            description="The horizon, in days (1..3650).")] = 90,
        as_of: Annotated[datetime | None, strawberry.argument(
            description="The end of the horizon (default: now).")] = None,
        first: First = 50, after: After = None,
    ) -> Connection[ChurnRate]:  # fmt: skip
        when = to_epoch_ms(as_of, "asOf") if as_of is not None else int(time.time() * 1000)
        by = _value(group_by)
        rows = await p.churn_rates(info.context, by, when, horizon_days)
        nodes = [
            ChurnRate(
                group=_month(int(r["group"])) if by == "cohort" and r["group"] else r["group"],
                group_name=r["name"], customers=r["customers"], churned=r["churned"],
                rate=r["rate"],
            )
            for r in rows
        ]  # fmt: skip
        return _page(info, nodes, lambda c: (c.group or "",), first, after, f"churn-{by}")
