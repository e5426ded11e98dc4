"""The customer-360: profile, identities, tags, consents, purchases, interactions,
posts and complaints, fetched in one statement shaped by the client's selection.
"""

import time
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.reads import CUSTOMER_PARTS
from graph.store import Record
from resolvers.context import Context
from resolvers.entities import part_items, part_page, part_value
from resolvers.ids import to_global_id
from resolvers.metrics import Activity, compute_metrics
from resolvers.selection import Page, Shape, plan_shape, selects_any, to_epoch_ms
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

# GraphQL field -> part of the customer-360 statement (graph/reads.py CUSTOMER_PARTS).
CUSTOMER_FIELDS = {
    "identities": "identities", "tags": "tags", "consents": "consents",
    "segments": "segments", "purchases": "purchases", "interactions": "interactions",
    "posts": "posts", "complaints": "complaints", "contactHistory": "contact_history",
    "brandsEngaged": "brands_engaged", "metrics": "metrics", "traits": "traits",
    "loyaltyTiers": "loyalty_tiers",
}  # fmt: skip


BRAND_COUNT_FIELDS = frozenset({"followerCount", "productCount", "postCount", "purchaseCount"})


def customer_shape(info: Info[Context, None], selections: Any) -> Shape:
    """The parts a customer selection needs; brand counters anywhere inside it add the
    `brand_counts` part, so they come with the customer's statement too."""
    ctx = info.context
    shape = plan_shape(
        selections, "Customer", CUSTOMER_FIELDS, CUSTOMER_PARTS,
        ctx.default_page_size, ctx.max_page_size,
    )  # fmt: skip
    if selects_any(selections, BRAND_COUNT_FIELDS):
        shape = tuple(sorted((*shape, ("brand_counts", "brand_counts", None))))
    return shape


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

    @strawberry.field(
        description="False while the customer is only referenced by other records (a "
        "purchase, a complaint...) and their own CRM row has not been loaded yet."
    )
    def profile_loaded(self) -> bool:
        return self._record.get("row_hash") is not None

    async def _all(self, info: Info[Context, None], part: str) -> list[Any]:
        items, _ = await part_items(info.context, "customer", self._record, part, None)
        return items

    async def _page(
        self, info: Info[Context, None], part: str, **arguments: Any
    ) -> tuple[list[Any], Page, int]:
        return await part_page(info.context, "customer", self._record, part, arguments)

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

    @strawberry.field(description="Consents given to brands, newest first, withdrawn ones too.")
    async def consents(self, info: Info[Context, None]) -> list[Consent]:
        rows = sorted(await self._all(info, "consents"), key=lambda r: -(r.get("granted_at") or 0))
        return [Consent.from_record(r) for r in rows]

    @strawberry.field(description="Segments the customer belongs to.")
    async def segments(self, info: Info[Context, None]) -> list[Segment]:
        rows = await self._all(info, "segments")
        return [Segment(segment_id=r["id"], name=r.get("name")) for r in rows]

    @strawberry.field(description="Computed traits (docs/audiences.md), by name.")
    async def traits(self, info: Info[Context, None]) -> list[TraitValue]:
        rows = sorted(await self._all(info, "traits"), key=lambda r: r["name"])
        return [TraitValue.from_record(r) for r in rows]

    @strawberry.field(
        description="Loyalty tiers held (docs/audiences.md): the current one of each "
        "programme (`until` null) and past ones, newest first."
    )
    async def loyalty_tiers(self, info: Info[Context, None]) -> list[CustomerTier]:
        rows = sorted(
            await self._all(info, "loyalty_tiers"),
            key=lambda r: (r["program"], -(r.get("since") or 0)),
        )
        return [CustomerTier.from_record(r) for r in rows]

    @strawberry.field(description="Brands the customer engages with, and how; latest first.")
    async def brands_engaged(self, info: Info[Context, None]) -> list[BrandEngagement]:
        return brand_engagements(await self._all(info, "brands_engaged"))

    @strawberry.field(description="Computed metrics: RFM, value, cost to serve, churn risk...")
    async def metrics(
        self,
        info: Info[Context, None],
        as_of: Annotated[
            datetime | None,
            strawberry.argument(description="Compute as of this time (default: now)."),
        ] = None,
    ) -> CustomerMetrics:
        facts = await part_value(info.context, "customer", self._record, "metrics") or {}
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
        raw = (
            {"brand": filter.brand, "from": filter.from_, "until": filter.until} if filter else None
        )
        items, page, total = await self._page(
            info, "purchases", first=first, after=after, filter=raw
        )
        return keyset_connection(items, page, total, "purchases", Purchase.from_record)

    @strawberry.field(
        description="Interactions of the customer's accounts with posts, newest first."
    )
    async def interactions(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Interaction]:
        items, page, total = await self._page(info, "interactions", first=first, after=after)
        return keyset_connection(items, page, total, "interactions", Interaction.from_record)

    @strawberry.field(description="Posts published by the customer's accounts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Post]:
        items, page, total = await self._page(info, "posts", first=first, after=after)
        return keyset_connection(items, page, total, "posts", Post.from_record)

    @strawberry.field(description="Complaints filed by the customer, newest first.")
    async def complaints(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Complaint]:
        items, page, total = await self._page(info, "complaints", first=first, after=after)
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
        raw = {"kinds": filter.kinds} if filter else None
        items, page, total = await self._page(
            info, "contact_history", first=first, after=after, filter=raw
        )
        return keyset_connection(items, page, total, "contact_history", ContactEvent.from_record)
