"""Computed customer metrics as GraphQL types (definitions: docs/metrics.md)."""

from datetime import datetime
from enum import Enum

import strawberry

from resolvers import metrics as m
from resolvers.context import Record
from schema.base import ms_to_datetime
from schema.customer_predictions import PredictionFields


@strawberry.enum(description="Value class of a customer (docs/metrics.md).")
class CustomerClass(Enum):
    HIGH_POTENTIAL = "high_potential"
    REGULAR = "regular"
    LOW_VALUE = "low_value"


@strawberry.type(description="Recency, frequency and monetary value, with 1..5 scores.")
class Rfm:
    recency_days: int | None = strawberry.field(
        description="Whole days since the last purchase; null when the customer never bought."
    )
    frequency: int = strawberry.field(description="Number of purchases.")
    monetary: float = strawberry.field(description="Total spend (amounts as given).")
    recency_score: int = strawberry.field(description="1..5, 5 = bought most recently.")
    frequency_score: int = strawberry.field(description="1..5, 5 = buys most often.")
    monetary_score: int = strawberry.field(description="1..5, 5 = spends most.")
    code: str = strawberry.field(description='The three scores as "R-F-M", e.g. "5-3-4".')


@strawberry.type(description="What serving the customer costs, by component.")
class CostToServe:
    complaints: int = strawberry.field(description="Complaints handled.")
    complaint_cost: float = strawberry.field(description="Their cost.")
    orders: int = strawberry.field(description="Orders fulfilled.")
    order_cost: float = strawberry.field(description="Their cost.")
    interactions: int = strawberry.field(description="Social interactions.")
    interaction_cost: float = strawberry.field(description="Their cost.")
    total: float = strawberry.field(description="Sum of the components.")


@strawberry.type(description="Churn risk: recency against the customer's own purchase rhythm.")
class ChurnRisk:
    days_since_last_purchase: int | None = strawberry.field(description="Recency in days.")
    typical_gap_days: float | None = strawberry.field(
        description="Median days between the customer's purchase days."
    )
    gap_is_default: bool = strawberry.field(
        description="True when too few purchases to tell: the configured default gap is used."
    )
    ratio: float | None = strawberry.field(description="Days since last purchase / typical gap.")
    risk: float | None = strawberry.field(description="0..1; null with no purchases.")
    level: str = strawberry.field(description="low, medium, high or unknown.")
    explanation: str = strawberry.field(description="The numbers behind the risk, in words.")


@strawberry.type(description="A content type the customer interacts with, and how much.")
class ContentPreference:
    content_type: str = strawberry.field(description="Content-type tag id, e.g. `t-video`.")
    count: int = strawberry.field(description="Interactions with posts of this type.")
    share: float = strawberry.field(description="Share of interactions with a known type.")


@strawberry.type(description="Metrics computed from the customer's activity (docs/metrics.md).")
class CustomerMetrics(PredictionFields):
    as_of: datetime = strawberry.field(description="The time the metrics are computed at.")
    rfm: Rfm = strawberry.field(description="Recency, frequency, monetary and their scores.")
    historic_lifetime_value: float = strawberry.field(
        description="Gross margin earned so far: spend x the configured gross margin."
    )
    average_order_value: float | None = strawberry.field(
        description="Spend / orders; null with no orders."
    )
    cost_to_serve: CostToServe = strawberry.field(description="Cost to serve, by component.")
    profitability: float = strawberry.field(
        description="Historic lifetime value minus cost to serve."
    )
    churn: ChurnRisk = strawberry.field(description="Churn risk with its explanation.")
    preferred_content_types: list[ContentPreference] = strawberry.field(
        description="Content types by interactions, most first."
    )
    customer_class: CustomerClass = strawberry.field(description="Value class.")
    class_reason: str = strawberry.field(description="Why the customer is in that class.")

    @classmethod
    def from_metrics(cls, x: m.CustomerMetrics, facts: Record) -> "CustomerMetrics":
        """From computed metrics and the facts they came from (the predictions read them)."""
        as_of = ms_to_datetime(x.as_of_ms)
        assert as_of is not None
        return cls(
            as_of=as_of,
            rfm=Rfm(**vars(x.rfm)),
            historic_lifetime_value=x.historic_value,
            average_order_value=x.average_order_value,
            cost_to_serve=CostToServe(**vars(x.cost_to_serve)),
            profitability=x.profitability,
            churn=ChurnRisk(**vars(x.churn)),
            preferred_content_types=[
                ContentPreference(content_type=p.content_type, count=p.count, share=p.share)
                for p in x.preferred_content_types
            ],
            customer_class=CustomerClass[x.customer_class.name],
            class_reason=x.class_reason,
            _facts=facts,
            _as_of_ms=x.as_of_ms,
        )
