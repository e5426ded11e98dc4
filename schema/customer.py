"""The customer-360: profile, identities, tags, consents, purchases, interactions,
posts and complaints, fetched in one statement shaped by the client's selection.
"""

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import SelectionSetNode
from strawberry.types import Info

from resolvers.context import Context, Record
from resolvers.entities import part_items, part_page, part_value
from resolvers.ids import to_global_id
from resolvers.metrics import Activity, compute_metrics
from resolvers.plan import EntityPlan, plan_selected
from resolvers.selection import Page, field_selections, to_epoch_ms
from schema.base import After, Connection, First, Node, keyset_connection, ms_to_datetime
from schema.brand import Brand
from schema.commerce import Purchase
from schema.contact import BrandEngagement, ContactEvent, ContactFilter, brand_engagements
from schema.loyalty import CustomerTier
from schema.metrics import CustomerMetrics
from schema.personal import Personal
from schema.purpose import Purpose, from_stored
from schema.social import Identity, Interaction, Post, Tag
from schema.support import Complaint
from schema.traits import TraitValue


def customer_plans(
    info: Info[Context, None], *groups: Sequence[SelectionSetNode | None]
) -> list[EntityPlan]:
    """The plans of the customer selections of one field (resolvers/plan.py), sharing
    one statement: one per group of selection sets (default: the field's own)."""
    ctx = info.context
    raw = info._raw_info  # the document's nodes: Strawberry's conversion walks every level
    groups = groups or (field_selections(raw),)
    return plan_selected(raw, "customer", groups, ctx.default_page_size, ctx.max_page_size)


@strawberry.input(description="Narrow a customer's purchases; all given conditions must hold.")
class PurchaseFilter:
    brand: strawberry.ID | None = strawberry.field(
        default=None, description="Only purchases at this brand (global id or key)."
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Placed at or after this time."
    )
    until: datetime | None = strawberry.field(default=None, description="Placed before this time.")


@strawberry.type(description="A tag on a customer, with its weight and where it came from.")
class CustomerTag:
    tag: Tag = strawberry.field(description="The tag.")
    weight: float | None = strawberry.field(description="Strength of the tag, 0..1.")
    source: str | None = strawberry.field(description="declared, inferred, crm...")
    at: datetime | None = strawberry.field(description="When it was tagged.")


@strawberry.type(description="A consent a customer gave a brand, for some purposes.")
class Consent:
    brand: Brand = strawberry.field(description="The brand consented to.")
    purposes: list[Purpose] = strawberry.field(description="Purposes granted.")
    granted_at: datetime | None = strawberry.field(description="When it was granted.")
    withdrawn_at: datetime | None = strawberry.field(
        description="When it was withdrawn, if it was."
    )
    source: str | None = strawberry.field(description="Where it was collected.")
    policy_version: str | None = strawberry.field(description="Privacy policy version agreed to.")

    @strawberry.field(description="True while granted and not withdrawn.")
    def active(self) -> bool:
        return self.withdrawn_at is None

    @classmethod
    def from_record(cls, r: Record) -> "Consent":
        """From a CONSENTED relationship's properties, with `brand` the brand's record."""
        return cls(
            brand=Brand.from_record(r["brand"]),
            purposes=from_stored(r.get("purposes")),
            granted_at=ms_to_datetime(r.get("granted_at")),
            withdrawn_at=ms_to_datetime(r.get("withdrawn_at")),
            source=r.get("source"),
            policy_version=r.get("policy_version"),
        )


@strawberry.type(description="A marketing segment.")
class Segment:
    segment_id: str = strawberry.field(description="The segment's key, e.g. `s-vip`.")
    name: str | None = strawberry.field(description="Segment name.")


@strawberry.type(description="One customer, seen whole across CRM, social, commerce and support.")
class Customer(Node):
    customer_id: str = strawberry.field(description="The customer's key in the hub.")
    external_id: str | None = strawberry.field(
        description="The id in the brand's CRM.", extensions=[Personal()]
    )
    name: str | None = strawberry.field(description="Full name.", extensions=[Personal()])
    email: str | None = strawberry.field(
        description="Email address (personal data).", extensions=[Personal()]
    )
    phone: str | None = strawberry.field(
        description="Phone number (personal data).", extensions=[Personal()]
    )
    gender: str | None = strawberry.field(
        description="Gender as recorded.", extensions=[Personal()]
    )
    birth_year: int | None = strawberry.field(description="Year of birth.", extensions=[Personal()])
    city: str | None = strawberry.field(description="City.", extensions=[Personal()])
    region: str | None = strawberry.field(description="Region or province.")
    country: str | None = strawberry.field(description="Country, ISO 3166-1 alpha-2.")
    created_at: datetime | None = strawberry.field(description="When the customer was created.")
    updated_at: datetime | None = strawberry.field(description="Last change in the hub.")
    _record: strawberry.Private[Record]
    # How `_record` was fetched; None for a customer met inside another read.
    _plan: strawberry.Private[EntityPlan | None]

    @classmethod
    def from_record(cls, r: Record, plan: EntityPlan | None = None) -> "Customer":
        """From a customer's record; ``plan``: the plan its statement was made from."""
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
            _plan=plan,
        )

    @strawberry.field(
        description="False while the customer is only referenced by other records (a "
        "purchase, a complaint...) and their own CRM row has not been loaded yet."
    )
    def profile_loaded(self) -> bool:
        return self._record.get("row_hash") is not None

    async def _all(self, info: Info[Context, None]) -> list[Any]:
        items, _, _ = await part_items(info, "customer", self._record, self._plan)
        return items

    async def _page(self, info: Info[Context, None]) -> tuple[list[Any], Page, int]:
        # The arguments were parsed once, into the plan: the page is the one fetched.
        return await part_page(info, "customer", self._record, self._plan)

    @strawberry.field(description="Social accounts linked to the customer, with link evidence.")
    async def identities(self, info: Info[Context, None]) -> list[Identity]:
        return [Identity.from_record(r) for r in await self._all(info)]

    @strawberry.field(description="Interest and lifestyle tags, strongest first.")
    async def tags(self, info: Info[Context, None]) -> list[CustomerTag]:
        rows = sorted(await self._all(info), key=lambda r: -(r.get("weight") or 0))
        return [
            CustomerTag(
                tag=Tag.from_record(r["tag"]),
                weight=r.get("weight"),
                source=r.get("source"),
                at=ms_to_datetime(r.get("at")),
            )
            for r in rows
        ]

    @strawberry.field(description="Consents given to brands, newest first, withdrawn ones too.")
    async def consents(self, info: Info[Context, None]) -> list[Consent]:
        rows = sorted(await self._all(info), key=lambda r: -(r.get("granted_at") or 0))
        return [Consent.from_record(r) for r in rows]

    @strawberry.field(description="Segments the customer belongs to.")
    async def segments(self, info: Info[Context, None]) -> list[Segment]:
        rows = await self._all(info)
        return [Segment(segment_id=r["id"], name=r.get("name")) for r in rows]

    @strawberry.field(description="Computed traits (docs/audiences.md), by name.")
    async def traits(self, info: Info[Context, None]) -> list[TraitValue]:
        rows = sorted(await self._all(info), key=lambda r: r["name"])
        return [TraitValue.from_record(r) for r in rows]

    @strawberry.field(
        description="Loyalty tiers held (docs/audiences.md): the current one of each "
        "programme (`until` null) and past ones, newest first."
    )
    async def loyalty_tiers(self, info: Info[Context, None]) -> list[CustomerTier]:
        rows = sorted(
            await self._all(info),
            key=lambda r: (r["program"], -(r.get("since") or 0)),
        )
        return [CustomerTier.from_record(r) for r in rows]

    @strawberry.field(description="Brands the customer engages with, and how; latest first.")
    async def brands_engaged(self, info: Info[Context, None]) -> list[BrandEngagement]:
        return brand_engagements(await self._all(info))

    @strawberry.field(description="Computed metrics: RFM, value, cost to serve, churn risk...")
    async def metrics(
        self,
        info: Info[Context, None],
        as_of: Annotated[
            datetime | None,
            strawberry.argument(description="Compute as of this time (default: now)."),
        ] = None,
    ) -> CustomerMetrics:
        facts = await part_value(info, "customer", self._record, self._plan) or {}
        activity = Activity(
            purchases=[(int(at), float(total or 0)) for at, total in facts.get("purchases") or []
                       if at is not None],
            complaints=list(facts.get("complaints") or []),
            interaction_content_types=list(facts.get("content_types") or []),
            interactions=len(facts.get("content_types") or []),
        )  # fmt: skip
        when = to_epoch_ms(as_of, "asOf") if as_of is not None else int(time.time() * 1000)
        return CustomerMetrics.from_metrics(
            compute_metrics(activity, when, info.context.metrics_config), facts
        )

    @strawberry.field(description="Purchases, newest first.")
    async def purchases(
        self,
        info: Info[Context, None],
        first: First = 20,
        after: After = None,
        filter: Annotated[
            PurchaseFilter | None, strawberry.argument(description="Brand and time range.")
        ] = None,
    ) -> Connection[Purchase]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "purchases", Purchase.from_record)

    @strawberry.field(
        description="Interactions of the customer's accounts with posts, newest first."
    )
    async def interactions(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Interaction]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "interactions", Interaction.from_record)

    @strawberry.field(description="Posts published by the customer's accounts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Post]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "posts", Post.from_record)

    @strawberry.field(description="Complaints filed by the customer, newest first.")
    async def complaints(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Complaint]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "complaints", Complaint.from_record)

    @strawberry.field(
        description="Every contact across channels (purchases, interactions, complaints, "
        "posts) merged, newest first."
    )
    async def contact_history(
        self,
        info: Info[Context, None],
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ContactFilter | None, strawberry.argument(description="Kinds of contact.")
        ] = None,
    ) -> Connection[ContactEvent]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "contact_history", ContactEvent.from_record)
