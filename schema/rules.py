"""The rule language's input (docs/audiences.md): `CustomerRule`, used by
`customers(where:)`, audience previews and saved audiences."""

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from resolvers.selection import to_epoch_ms
from schema.metrics import CustomerClass
from schema.network import EngagementKind
from schema.purpose import Purpose


@strawberry.enum(description="How a condition compares a value.")
class Comparison(Enum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = strawberry.enum_value("in", description="Profile fields: one of `values`.")
    EXISTS = strawberry.enum_value("exists", description="Has any value.")


@strawberry.enum(description="Profile fields a rule may test.")
class ProfileField(Enum):
    COUNTRY = "country"
    REGION = "region"
    CITY = strawberry.enum_value("city", description="Not for analysts (personal data).")
    GENDER = strawberry.enum_value("gender", description="Not for analysts (personal data).")
    BIRTH_YEAR = strawberry.enum_value(
        "birth_year", description="Not for analysts (personal data)."
    )


@strawberry.enum(description="Metrics a rule may test, as of now (docs/metrics.md).")
class RuleMetric(Enum):
    ORDERS = "orders"
    SPEND = "spend"
    AVERAGE_ORDER_VALUE = "average_order_value"
    RECENCY_DAYS = "recency_days"
    RECENCY_SCORE = "recency_score"
    FREQUENCY_SCORE = "frequency_score"
    MONETARY_SCORE = "monetary_score"
    HISTORIC_VALUE = "historic_value"
    PROFITABILITY = "profitability"
    COMPLAINTS = "complaints"
    INTERACTIONS = "interactions"
    CHURN_RISK = "churn_risk"


@strawberry.input(description="A profile field compared with a value.")
class ProfileCondition:
    field: ProfileField = strawberry.field(description="The field.")
    op: Comparison = strawberry.field(description="How to compare.")
    text: str | None = strawberry.field(default=None, description="A text value.")
    number: float | None = strawberry.field(default=None, description="A numeric value.")
    values: list[str] | None = strawberry.field(default=None, description="For IN.")


@strawberry.input(description="Carries a tag, at least this strong when minWeight is given.")
class TagCondition:
    tag: str = strawberry.field(description="The tag id.")
    min_weight: float | None = strawberry.field(default=None, description="0..1.")


@strawberry.input(description="Engaged with a brand (follow, interaction, purchase).")
class BrandCondition:
    brand: strawberry.ID = strawberry.field(description="The brand (global id or key).")
    kinds: list[EngagementKind] | None = strawberry.field(
        default=None, description="Which kinds count (default: all)."
    )
    within_days: int | None = strawberry.field(
        default=None, description="Only engagement in the last N days (default: ever)."
    )


@strawberry.input(description="A live consent to a brand for a purpose (not withdrawn now).")
class LiveConsentCondition:
    brand: strawberry.ID = strawberry.field(description="The brand (global id or key).")
    purpose: Purpose = strawberry.field(description="The purpose.")


@strawberry.input(description="A computed trait compared with a value (a missing trait: false).")
class TraitCondition:
    name: str = strawberry.field(description="The trait's name.")
    op: Comparison = strawberry.field(description="How to compare (EXISTS: has a value).")
    number: float | None = strawberry.field(default=None, description="A numeric value.")
    text: str | None = strawberry.field(default=None, description="A text value.")


@strawberry.input(description="A metric compared with a number.")
class MetricCondition:
    metric: RuleMetric = strawberry.field(description="The metric.")
    op: Comparison = strawberry.field(description="How to compare (EQ..LTE).")
    value: float = strawberry.field(description="The number.")


@strawberry.input(description="A time range: from (inclusive) until (exclusive).")
class RuleTimeRange:
    from_: datetime | None = strawberry.field(default=None, name="from", description="Start.")
    until: datetime | None = strawberry.field(default=None, description="End (exclusive).")


@strawberry.input(
    description="A rule over customers: exactly one field. `and` / `or` combine rules, "
    "`not` negates one; the others are conditions (docs/audiences.md)."
)
class CustomerRule:
    and_: list["CustomerRule"] | None = strawberry.field(
        default=None, name="and", description="All of these rules."
    )
    or_: list["CustomerRule"] | None = strawberry.field(
        default=None, name="or", description="Any of these rules."
    )
    not_: "CustomerRule | None" = strawberry.field(
        default=None, name="not", description="Not this rule."
    )
    profile: ProfileCondition | None = strawberry.field(default=None, description="Profile.")
    tag: TagCondition | None = strawberry.field(default=None, description="A tag.")
    segment: str | None = strawberry.field(default=None, description="In this segment id.")
    audience: str | None = strawberry.field(
        default=None,
        description="A member of this saved audience now (as its last refresh left it).",
    )
    identity: str | None = strawberry.field(
        default=None, description="Has a linked account on this platform."
    )
    brand: BrandCondition | None = strawberry.field(default=None, description="Engagement.")
    consent: LiveConsentCondition | None = strawberry.field(
        default=None, description="A live consent."
    )
    trait: TraitCondition | None = strawberry.field(default=None, description="A trait.")
    metric: MetricCondition | None = strawberry.field(default=None, description="A metric.")
    customer_class: CustomerClass | None = strawberry.field(
        default=None, description="The customer class, as metrics compute it."
    )
    active_within_days: int | None = strawberry.field(
        default=None,
        description="Latest purchase, interaction, complaint or post in the last N days.",
    )
    last_activity: RuleTimeRange | None = strawberry.field(
        default=None, description="Latest purchase, interaction, complaint or post in range."
    )
    created: RuleTimeRange | None = strawberry.field(
        default=None, description="Customer record created in range."
    )


def rule_data(value: Any, where: str = "where") -> Any:
    """A rule input as plain data (resolvers/rules.py): snake_case keys without the
    trailing `_`, enums as their values, times as epoch ms, unset fields left out."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return to_epoch_ms(value, where)
    if isinstance(value, list):
        return [rule_data(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is not None:
                key = f.name.rstrip("_")
                out[key] = rule_data(item, f"{where}.{key}")
        return out
    return value
