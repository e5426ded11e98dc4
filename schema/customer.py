"""The customer-360: profile, identities, tags, consents, purchases, interactions,
posts and complaints, fetched in one statement shaped by the client's selection.
"""

import dataclasses
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.store import Record
from resolvers import customers as customer_reads
from resolvers.context import Context
from resolvers.entities import part_items, part_page
from resolvers.errors import bad_input
from resolvers.ids import encode_cursor, key_for, to_global_id
from resolvers.selection import Shape, Window, plan_shape
from schema.base import Connection, Edge, Node, PageInfo, ms_to_datetime, offset_connection
from schema.brand import Brand
from schema.commerce import Purchase
from schema.social import Identity, Interaction, Post, Tag
from schema.support import Complaint

ORDERED = {"purchases": "purchases", "interactions": "interactions", "posts": "posts",
           "complaints": "complaints"}  # fmt: skip
UNORDERED = {"identities": "identities", "tags": "tags", "consents": "consents",
             "segments": "segments"}  # fmt: skip

First = Annotated[int, strawberry.argument(description="Page size (at most the server maximum).")]
After = Annotated[str | None, strawberry.argument(description="Cursor to start after.")]


def customer_shape(info: Info[Context, None], selections: Any) -> Shape:
    ctx = info.context
    return plan_shape(
        selections, "Customer", ORDERED, UNORDERED, ctx.default_page_size, ctx.max_page_size
    )


@strawberry.type(description="A tag on a customer, with its weight and where it came from.")
class CustomerTag:
    tag: Tag = strawberry.field(description="The tag.")
    weight: float | None = strawberry.field(description="Strength of the tag, 0..1.")
    source: str | None = strawberry.field(description="declared, inferred, crm...")
    at: datetime | None = strawberry.field(description="When it was tagged.")


@strawberry.type(description="A consent a customer gave a brand, for some purposes.")
class Consent:
    brand: Brand = strawberry.field(description="The brand consented to.")
    purposes: list[str] = strawberry.field(
        description="Purposes granted: marketing, analytics, partner_sharing..."
    )
    granted_at: datetime | None = strawberry.field(description="When it was granted.")
    withdrawn_at: datetime | None = strawberry.field(
        description="When it was withdrawn, if it was."
    )
    source: str | None = strawberry.field(description="Where it was collected.")
    policy_version: str | None = strawberry.field(description="Privacy policy version agreed to.")

    @strawberry.field(description="True while granted and not withdrawn.")
    def active(self) -> bool:
        return self.withdrawn_at is None


@strawberry.type(description="A marketing segment.")
class Segment:
    segment_id: str = strawberry.field(description="The segment's key, e.g. `s-vip`.")
    name: str | None = strawberry.field(description="Segment name.")


@strawberry.type(description="One customer, seen whole across CRM, social, commerce and support.")
class Customer(Node):
    customer_id: str = strawberry.field(description="The customer's key in the hub.")
    external_id: str | None = strawberry.field(description="The id in the brand's CRM.")
    name: str | None = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(description="Email address (personal data).")
    phone: str | None = strawberry.field(description="Phone number (personal data).")
    gender: str | None = strawberry.field(description="Gender as recorded.")
    birth_year: int | None = strawberry.field(description="Year of birth.")
    city: str | None = strawberry.field(description="City.")
    region: str | None = strawberry.field(description="Region or province.")
    country: str | None = strawberry.field(description="Country, ISO 3166-1 alpha-2.")
    created_at: datetime | None = strawberry.field(description="When the customer was created.")
    updated_at: datetime | None = strawberry.field(description="Last change in the hub.")
    _record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, r: Record) -> "Customer":
        return cls(
            id=strawberry.ID(to_global_id("Customer", r["id"])),
            customer_id=r["id"],
            external_id=r.get("external_id"),
            name=r.get("name"),
            email=r.get("email"),
            phone=r.get("phone"),
            gender=r.get("gender"),
            birth_year=r.get("birth_year"),
            city=r.get("city"),
            region=r.get("region"),
            country=r.get("country"),
            created_at=ms_to_datetime(r.get("created_at")),
            updated_at=ms_to_datetime(r.get("updated_at")),
            _record=r,
        )

    async def _all(self, info: Info[Context, None], part: str) -> list[Any]:
        items, _ = await part_items(info.context, "customer", self._record, part, None)
        return items

    async def _page(
        self, info: Info[Context, None], part: str, first: int, after: str | None
    ) -> tuple[list[Any], Window, int]:
        return await part_page(info.context, "customer", self._record, part, first, after)

    @strawberry.field(description="Social accounts linked to the customer, with link evidence.")
    async def identities(self, info: Info[Context, None]) -> list[Identity]:
        return [Identity.from_record(r) for r in await self._all(info, "identities")]

    @strawberry.field(description="Interest and lifestyle tags, strongest first.")
    async def tags(self, info: Info[Context, None]) -> list[CustomerTag]:
        rows = sorted(await self._all(info, "tags"), key=lambda r: -(r.get("weight") or 0))
        return [
            CustomerTag(
                tag=Tag.from_record(r["tag"]),
                weight=r.get("weight"),
                source=r.get("source"),
                at=ms_to_datetime(r.get("at")),
            )
            for r in rows
        ]

    @strawberry.field(description="Consents given to brands, with their history.")
    async def consents(self, info: Info[Context, None]) -> list[Consent]:
        rows = sorted(await self._all(info, "consents"), key=lambda r: -(r.get("granted_at") or 0))
        return [
            Consent(
                brand=Brand.from_record(r["brand"]),
                purposes=list(r.get("purposes") or []),
                granted_at=ms_to_datetime(r.get("granted_at")),
                withdrawn_at=ms_to_datetime(r.get("withdrawn_at")),
                source=r.get("source"),
                policy_version=r.get("policy_version"),
            )
            for r in rows
        ]

    @strawberry.field(description="Segments the customer belongs to.")
    async def segments(self, info: Info[Context, None]) -> list[Segment]:
        rows = await self._all(info, "segments")
        return [Segment(segment_id=r["id"], name=r.get("name")) for r in rows]

    @strawberry.field(description="Purchases, newest first.")
    async def purchases(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Purchase]:
        items, w, total = await self._page(info, "purchases", first, after)
        return offset_connection(
            [Purchase.from_record(i) for i in items], w.skip, total, "purchases"
        )

    @strawberry.field(
        description="Interactions of the customer's accounts with posts, newest first."
    )
    async def interactions(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Interaction]:
        items, w, total = await self._page(info, "interactions", first, after)
        nodes = [Interaction.from_record(i) for i in items]
        return offset_connection(nodes, w.skip, total, "interactions")

    @strawberry.field(description="Posts published by the customer's accounts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Post]:
        items, w, total = await self._page(info, "posts", first, after)
        return offset_connection([Post.from_record(i) for i in items], w.skip, total, "posts")

    @strawberry.field(description="Complaints filed by the customer, newest first.")
    async def complaints(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Complaint]:
        items, w, total = await self._page(info, "complaints", first, after)
        nodes = [Complaint.from_record(i) for i in items]
        return offset_connection(nodes, w.skip, total, "complaints")


@strawberry.input(description="Narrow a list of customers; all given conditions must hold.")
class CustomerFilter:
    country: str | None = strawberry.field(default=None, description="ISO country code.")
    region: str | None = strawberry.field(default=None, description="Region or province.")
    platform: str | None = strawberry.field(
        default=None, description="Has an account on this platform."
    )
    tag: str | None = strawberry.field(default=None, description="Carries this tag id.")
    segment: str | None = strawberry.field(default=None, description="In this segment id.")


@strawberry.type(description="A page of customers, in id order.")
class CustomerConnection:
    edges: list[Edge[Customer]] = strawberry.field(description="The customers with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    _filters: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The customers of this page without cursors.")
    def nodes(self) -> list[Customer]:
        return [e.node for e in self.edges]

    @strawberry.field(description="Customers matching the filter (counted, not loaded).")
    async def total_count(self, info: Info[Context, None]) -> int:
        return await customer_reads.count_customers(info.context, self._filters)


def _connection_selections(info: Info[Context, None]) -> list[Any]:
    """The Customer selections under `edges { node }` and `nodes` of a customers field."""
    out: list[Any] = []
    for field in info.selected_fields:
        for sub in field.selections:
            name = getattr(sub, "name", None)
            if name == "nodes":
                out += sub.selections
            elif name == "edges":
                for edge_field in sub.selections:
                    if getattr(edge_field, "name", None) == "node":
                        out += edge_field.selections
    return out


@strawberry.type
class CustomerQueries:
    @strawberry.field(description="One customer's 360 view, by global id or customer key.")
    async def customer(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id or key.")],
    ) -> Customer | None:
        key = key_for("Customer", id)
        shape = customer_shape(info, info.selected_fields[0].selections)
        return Customer.from_record(await customer_reads.customer_360(info.context, key, shape))

    @strawberry.field(description="Customers in id order, filtered; a Relay connection.")
    async def customers(
        self,
        info: Info[Context, None],
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CustomerFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
    ) -> CustomerConnection:
        if not 0 <= first <= info.context.max_page_size:
            raise bad_input(f"first must be between 0 and {info.context.max_page_size}", "first")
        filters = dataclasses.asdict(filter) if filter else {}
        shape = customer_shape(info, _connection_selections(info))
        records, has_next = await customer_reads.customers_page(
            info.context, shape, first, after, filters
        )
        edges = [
            Edge(cursor=encode_cursor("customers", r["id"]), node=Customer.from_record(r))
            for r in records
        ]
        return CustomerConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _filters=filters,
        )
