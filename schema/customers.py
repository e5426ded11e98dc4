"""Root fields for customers: one by id or by identity, and filtered, sorted pages."""

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import FieldNode, SelectionSetNode
from strawberry.types import Info

from resolvers import customers as customer_reads
from resolvers.aggregates import GroupSpec, customer_groups
from resolvers.context import Context
from resolvers.errors import bad_input
from resolvers.ids import encode_key_cursor, key_for
from resolvers.rules import compile_for
from resolvers.selection import field_selections, time_range
from schema.base import After, Edge, First, PageInfo
from schema.customer import Customer, customer_plans
from schema.purpose import Purpose, stored_value
from schema.rules import CustomerRule, RuleMetric, rule_data


@strawberry.input(
    description="One identity of a customer. Give exactly one of: platform + handle, "
    "email, phone, externalId."
)
class IdentityInput:
    platform: str | None = strawberry.field(
        default=None, description="Social platform (wechat, weibo...), with `handle`."
    )
    handle: str | None = strawberry.field(default=None, description="Handle on `platform`.")
    email: str | None = strawberry.field(
        default=None, description="Email address (matched case-insensitively, by hash)."
    )
    phone: str | None = strawberry.field(
        default=None, description="Phone number (spaces and dashes ignored, matched by hash)."
    )
    external_id: str | None = strawberry.field(default=None, description="The CRM's id.")


@strawberry.input(description="A range of amounts; either end may be open.")
class AmountRange:
    min: float | None = strawberry.field(default=None, description="At least this much.")
    max: float | None = strawberry.field(default=None, description="At most this much.")


@strawberry.input(description="A time range: from (inclusive) until (exclusive).")
class TimeRange:
    from_: datetime | None = strawberry.field(default=None, name="from", description="Start.")
    until: datetime | None = strawberry.field(default=None, description="End (exclusive).")


@strawberry.input(description="An active (not withdrawn) consent to a brand.")
class ConsentCondition:
    brand: strawberry.ID = strawberry.field(description="The brand (global id or key).")
    purpose: Purpose | None = strawberry.field(
        default=None, description="Granted for this purpose (any purpose when omitted)."
    )


@strawberry.input(description="Narrow a list of customers; all given conditions must hold.")
class CustomerFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Words the name, or a linked account's handle or display name, has "
        "words starting with (full-text).",
    )
    country: str | None = strawberry.field(default=None, description="ISO country code.")
    region: str | None = strawberry.field(default=None, description="Region or province.")
    platform: str | None = strawberry.field(
        default=None, description="Has a linked account on this platform."
    )
    tag: str | None = strawberry.field(default=None, description="Carries this tag id.")
    segment: str | None = strawberry.field(default=None, description="In this segment id.")
    brand: strawberry.ID | None = strawberry.field(
        default=None, description="Engaged with this brand: bought, follows or interacted."
    )
    spend: AmountRange | None = strawberry.field(
        default=None, description="Total spend in this range."
    )
    last_activity: TimeRange | None = strawberry.field(
        default=None, description="Latest purchase, interaction, complaint or post in range."
    )
    consent: ConsentCondition | None = strawberry.field(
        default=None, description="Has an active consent to this brand."
    )
    profile_loaded: bool | None = strawberry.field(
        default=None, description="Only customers whose own CRM row is (or is not) loaded."
    )


@strawberry.enum(description="What to sort customers by; ties are broken by id.")
class CustomerSortField(Enum):
    ID = "id"
    NAME = "name"
    CREATED_AT = "created_at"
    SPEND = "spend"
    LAST_ACTIVITY = "last_activity"


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="The order of a list of customers.")
class CustomerSort:
    field: CustomerSortField = strawberry.field(
        default=CustomerSortField.ID, description="Sort key."
    )
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Ascending or descending."
    )


@strawberry.enum(description="What customers are grouped by.")
class GroupDimension(Enum):
    COUNTRY = "country"
    REGION = "region"
    TRAIT = strawberry.enum_value("trait", description="A trait's value (give `trait`).")
    METRIC = strawberry.enum_value("metric", description="A metric's value (give `metric`).")


@strawberry.input(description="Group customers by a dimension.")
class GroupBy:
    dimension: GroupDimension = strawberry.field(description="The dimension.")
    trait: str | None = strawberry.field(default=None, description="For TRAIT: its name.")
    metric: RuleMetric | None = strawberry.field(default=None, description="For METRIC.")


@strawberry.input(description="The value summed and averaged per group: give one.")
class GroupMeasure:
    trait: str | None = strawberry.field(default=None, description="A trait (numeric).")
    metric: RuleMetric | None = strawberry.field(default=None, description="A metric.")


@strawberry.type(description="One group of customers: how many, and the measure's sum and mean.")
class CustomerGroup:
    key: strawberry.scalars.JSON = strawberry.field(description="The group's value (null: none).")
    count: int = strawberry.field(description="Customers in the group.")
    sum: float | None = strawberry.field(description="Sum of the measure (null: no measure).")
    avg: float | None = strawberry.field(
        description="Mean of the measure, over customers with one."
    )


@strawberry.type(description="A page of customers.")
class CustomerConnection:
    edges: list[Edge[Customer]] = strawberry.field(description="The customers with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    _query: strawberry.Private[customer_reads.CustomerQuery]
    # The same customers as `edges`, with the plan of the `nodes` selection.
    _nodes: strawberry.Private[list[Customer]]

    @strawberry.field(description="The customers of this page without cursors.")
    def nodes(self) -> list[Customer]:
        return self._nodes

    @strawberry.field(description="Customers matching the filter (counted, not loaded).")
    async def total_count(self, info: Info[Context, None]) -> int:
        return await customer_reads.count_customers(info.context, self._query)

    @strawberry.field(
        description="The matching customers grouped by a dimension, with counts and a "
        "measure's sum and mean, computed in the database (1000 groups at most)."
    )
    async def groups(
        self,
        info: Info[Context, None],
        by: Annotated[GroupBy, strawberry.argument(description="The dimension.")],
        of: Annotated[
            GroupMeasure | None, strawberry.argument(description="The measure (optional).")
        ] = None,
    ) -> list[CustomerGroup]:
        name = by.trait if by.dimension is GroupDimension.TRAIT else (
            by.metric.value if by.metric is not None else None
        )  # fmt: skip
        measure, of_name = None, None
        if of is not None:
            measure = "trait" if of.trait is not None else "metric"
            metric = of.metric.value if of.metric is not None else None
            of_name = of.trait if of.trait is not None else metric
        spec = GroupSpec(by.dimension.value, name, measure, of_name)
        rows = await customer_groups(info.context, self._query, spec)
        return [
            CustomerGroup(
                key=r["grp"],
                count=int(r["count"]),
                sum=r["sum"] if measure is not None else None,
                avg=r["avg"],
            )
            for r in rows
        ]


def _connection_selections(
    info: Info[Context, None],
) -> tuple[list[SelectionSetNode | None], list[SelectionSetNode | None]]:
    """The Customer selection sets under `edges { node }`, and under `nodes`, of a
    customers field."""
    edges: list[SelectionSetNode | None] = []
    nodes: list[SelectionSetNode | None] = []
    for selection_set in field_selections(info._raw_info):
        for sub in selection_set.selections if selection_set else ():
            if not isinstance(sub, FieldNode):
                continue
            if sub.name.value == "nodes":
                nodes.append(sub.selection_set)
            elif sub.name.value == "edges" and sub.selection_set:
                edges += [
                    f.selection_set
                    for f in sub.selection_set.selections
                    if isinstance(f, FieldNode) and f.name.value == "node"
                ]
    return edges, nodes


def customer_query(
    f: CustomerFilter | None, sort: CustomerSort | None
) -> customer_reads.CustomerQuery:
    """Validate the filter and sort into statement parameters; raise BAD_USER_INPUT."""
    f = f or CustomerFilter()
    sort = sort or CustomerSort()
    filters: dict[str, Any] = {
        "country": f.country, "region": f.region, "platform": f.platform, "tag": f.tag,
        "segment": f.segment, "profile_loaded": f.profile_loaded,
        "brand": key_for("Brand", f.brand, "filter.brand") if f.brand is not None else None,
    }  # fmt: skip
    if f.spend is not None:
        if f.spend.min is not None and f.spend.max is not None and f.spend.min > f.spend.max:
            raise bad_input("filter.spend.min is more than filter.spend.max", "filter.spend")
        filters |= {"spend_min": f.spend.min, "spend_max": f.spend.max}
    if f.last_activity is not None:
        raw = {"from": f.last_activity.from_, "until": f.last_activity.until}
        start, end = time_range(raw, "filter.lastActivity")
        filters |= {"active_from": start, "active_until": end}
    if f.consent is not None:
        filters |= {
            "consent_brand": key_for("Brand", f.consent.brand, "filter.consent.brand"),
            "consent_purpose": stored_value(f.consent.purpose) if f.consent.purpose else None,
        }
    search = f.search.strip() if f.search is not None else None
    return customer_reads.CustomerQuery(
        filters=filters,
        sort=sort.field.value,
        descending=sort.direction is SortDirection.DESC,
        search=search,
    )


def _identity(identity: IdentityInput) -> tuple[str, str, str | None]:
    """(kind, value, platform) of the one identity given; raise BAD_USER_INPUT."""
    given = [
        (kind, value)
        for kind, value in (
            ("account", identity.handle),
            ("email", identity.email),
            ("phone", identity.phone),
            ("external_id", identity.external_id),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise bad_input(
            "give exactly one of: platform + handle, email, phone, externalId", "identity"
        )
    kind, value = given[0]
    if (kind == "account") != (identity.platform is not None):
        raise bad_input("platform and handle go together", "identity")
    return kind, value, identity.platform


@strawberry.type
class CustomerQueries:
    @strawberry.field(description="One customer's 360 view, by global id or customer key.")
    async def customer(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id or key.")],
    ) -> Customer | None:
        key = key_for("Customer", id)
        (plan,) = customer_plans(info)
        record = await customer_reads.customer_360(info.context, key, plan)
        return Customer.from_record(record, plan)

    @strawberry.field(
        description="One customer's 360 view, found by a social account, email, phone or "
        "CRM id. NOT_FOUND when no customer has it; BAD_USER_INPUT when several share it."
    )
    async def customer_by_identity(
        self,
        info: Info[Context, None],
        identity: Annotated[
            IdentityInput, strawberry.argument(description="Exactly one identity.")
        ],
    ) -> Customer | None:
        kind, value, platform = _identity(identity)
        params = customer_reads.identity_params(kind, value, platform)
        (plan,) = customer_plans(info)
        record = await customer_reads.customer_by_identity(info.context, kind, params, plan)
        return Customer.from_record(record, plan)

    @strawberry.field(description="Customers, filtered and sorted; a Relay connection.")
    async def customers(
        self,
        info: Info[Context, None],
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CustomerFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        sort: Annotated[
            CustomerSort | None, strawberry.argument(description="Order (default: by id).")
        ] = None,
        where: Annotated[
            CustomerRule | None,
            strawberry.argument(
                description="A rule (AND / OR / NOT over conditions; docs/audiences.md), "
                "applied with the filter."
            ),
        ] = None,
    ) -> CustomerConnection:
        if not 0 <= first <= info.context.max_page_size:
            raise bad_input(f"first must be between 0 and {info.context.max_page_size}", "first")
        query = customer_query(filter, sort)
        if where is not None:
            raw = rule_data(where)
            compiled = compile_for(info.context, raw, info.context.clock())
            query = dataclasses.replace(query, where=compiled, where_raw=raw)
        edges_plan, nodes_plan = customer_plans(info, *_connection_selections(info))
        records, has_next = await customer_reads.customers_page(
            info.context, query, edges_plan, first, after
        )
        kind = f"customers:{query.sort}"
        edges = [
            Edge(
                cursor=encode_key_cursor(kind, (r["sk"], r["id"])),
                node=Customer.from_record(r, edges_plan),
            )
            for r in records
        ]
        return CustomerConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], has_next, after is not None),
            _query=query,
            _nodes=[Customer.from_record(r, nodes_plan) for r in records],
        )
