"""Computed traits (docs/audiences.md): definitions as data, values in the 360."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import traits
from resolvers.context import Context
from resolvers.ids import key_for
from schema.base import ms_to_datetime


@strawberry.enum(description="The events a trait aggregates.")
class TraitSource(Enum):
    PURCHASES = "purchases"
    INTERACTIONS = "interactions"
    CONTACTS = "contacts"
    COMPLAINTS = "complaints"


@strawberry.enum(description="How a trait aggregates its events.")
class TraitAggregate(Enum):
    COUNT = strawberry.enum_value("count", description="How many events (no field).")
    UNIQUE_COUNT = strawberry.enum_value("unique_count", description="Distinct field values.")
    SUM = strawberry.enum_value("sum", description="Sum of a numeric field (0 without events).")
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    MOST_FREQUENT = strawberry.enum_value(
        "most_frequent", description="Most frequent value; ties go to the smallest."
    )
    FIRST = strawberry.enum_value("first", description="Value of the earliest timed event.")
    LAST = strawberry.enum_value("last", description="Value of the latest timed event.")


@strawberry.input(description="Conditions on the events; each applies where the source has it.")
class TraitConditionsInput:
    brand: strawberry.ID | None = strawberry.field(default=None, description="At/about a brand.")
    category: str | None = strawberry.field(
        default=None, description="Product category (purchases) or complaint category."
    )
    channel: str | None = strawberry.field(
        default=None, description="Sales channel, platform (interactions) or contact channel."
    )
    content_type: str | None = strawberry.field(
        default=None, description="Post content type (interactions)."
    )
    kind: str | None = strawberry.field(
        default=None, description="Interaction kind (like, comment...) or contact kind."
    )


@strawberry.input(description="A trait definition.")
class TraitDefinitionInput:
    name: str = strawberry.field(description="1-40 of a-z, 0-9, _; starts with a letter.")
    source: TraitSource = strawberry.field(description="The events aggregated.")
    aggregate: TraitAggregate = strawberry.field(description="How.")
    field: str | None = strawberry.field(
        default=None,
        description="The event field read (amount, channel, brand, content_type, kind...).",
    )
    conditions: TraitConditionsInput | None = strawberry.field(
        default=None, description="Only events that meet all of these."
    )
    window_days: int | None = strawberry.field(
        default=None, description="Only events of the last N days (default: all time)."
    )
    description: str | None = strawberry.field(default=None, description="What it means.")


@strawberry.type(description="A condition of a trait definition.")
class TraitConditionValue:
    name: str = strawberry.field(description="brand, category, channel, content_type, kind.")
    value: str = strawberry.field(description="The value events must have.")


@strawberry.type(description="A stored trait definition.")
class TraitDefinition:
    name: str = strawberry.field(description="Its name.")
    source: TraitSource = strawberry.field(description="The events aggregated.")
    aggregate: TraitAggregate = strawberry.field(description="How.")
    field: str | None = strawberry.field(description="The event field read.")
    conditions: list[TraitConditionValue] = strawberry.field(description="Event conditions.")
    window_days: int | None = strawberry.field(description="Window in days; null: all time.")
    description: str | None = strawberry.field(description="What it means.")
    owner: str | None = strawberry.field(description="Who defined it first.")
    updated_at: datetime | None = strawberry.field(description="Last (re)definition.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "TraitDefinition":
        names, values = r.get("condition_names") or [], r.get("condition_values") or []
        pairs = zip(names, values, strict=True)
        return cls(
            name=r["id"], source=TraitSource(r["source"]),
            aggregate=TraitAggregate(r["aggregate"]), field=r.get("field"),
            conditions=[TraitConditionValue(name=n, value=v) for n, v in pairs],
            window_days=r.get("window_days"), description=r.get("description"),
            owner=r.get("owner"), updated_at=ms_to_datetime(r.get("updated_at")),
        )  # fmt: skip


@strawberry.type(description="A computed trait's value for one customer.")
class TraitValue:
    name: str = strawberry.field(description="The trait.")
    number: float | None = strawberry.field(description="The value, when a number.")
    text: str | None = strawberry.field(description="The value, when text.")
    computed_at: datetime | None = strawberry.field(description="When it was computed.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "TraitValue":
        value = r.get("value")
        number = float(value) if isinstance(value, int | float) else None
        return cls(
            name=r["name"], number=number, text=value if isinstance(value, str) else None,
            computed_at=ms_to_datetime(r.get("computed_at")),
        )  # fmt: skip


def _spec(i: TraitDefinitionInput) -> Any:
    conditions: dict[str, str] = {}
    if i.conditions is not None:
        c = i.conditions
        for name, value in (("brand", c.brand), ("category", c.category), ("channel", c.channel),
                            ("content_type", c.content_type), ("kind", c.kind)):  # fmt: skip
            if value is not None:
                conditions[name] = (
                    key_for("Brand", value, "input.conditions.brand") if name == "brand" else value
                )
    return traits.spec(
        name=i.name, source=i.source.value, aggregate=i.aggregate.value, field=i.field,
        conditions=conditions, window_days=i.window_days, description=i.description,
    )  # fmt: skip


@strawberry.type
class TraitQueries:
    @strawberry.field(description="Every stored trait definition, by name.")
    async def trait_definitions(self, info: Info[Context, None]) -> list[TraitDefinition]:
        return [TraitDefinition.from_record(r) for r in await traits.trait_records(info.context)]


@strawberry.type
class TraitMutations:
    @strawberry.field(
        description="Define (or redefine) a computed trait and compute it for every "
        "customer. A definition that cannot be computed is refused (BAD_USER_INPUT) with "
        "the reason."
    )
    async def define_trait(
        self,
        info: Info[Context, None],
        input: Annotated[TraitDefinitionInput, strawberry.argument(description="The trait.")],
    ) -> TraitDefinition:
        record = await traits.define_trait(info.context, _spec(input))
        return TraitDefinition.from_record(record)

    @strawberry.field(description="Delete a trait and its values; false when there was none.")
    async def delete_trait(
        self,
        info: Info[Context, None],
        name: Annotated[str, strawberry.argument(description="The trait's name.")],
    ) -> bool:
        return await traits.delete_trait(info.context, name)

    @strawberry.field(
        description="Recompute traits for every customer (one statement each); returns "
        "how many were computed. Loads and writes refresh the customers they touch."
    )
    async def refresh_traits(
        self,
        info: Info[Context, None],
        names: Annotated[
            list[str] | None, strawberry.argument(description="Which (default: all).")
        ] = None,
    ) -> int:
        return await traits.refresh_traits(info.context, names)
