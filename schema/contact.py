"""The customer's contact history across channels, and the brands they engage with."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from resolvers.context import Record
from schema.base import ms_to_datetime
from schema.brand import Brand
from schema.commerce import Purchase
from schema.personal import Personal
from schema.social import Interaction, Post
from schema.support import Complaint


@strawberry.enum(description="A kind of contact an app records.")
class RecordedContactKind(Enum):
    CALL = "call"
    EMAIL = "email"
    CHAT = "chat"
    VISIT = "visit"
    PROMOTION_SENT = "promotion_sent"
    PROMOTION_OPENED = "promotion_opened"
    SURVEY_ANSWER = "survey_answer"
    AFTER_SALES = "after_sales"


@strawberry.type(description="A contact recorded with a customer.")
class RecordedContact:
    contact_id: str = strawberry.field(description="The contact's key.")
    customer_id: str | None = strawberry.field(
        description="The customer's key (null where the customer is the one being read)."
    )
    kind: RecordedContactKind = strawberry.field(description="What kind of contact.")
    channel: str | None = strawberry.field(description="Where it happened.")
    at: datetime | None = strawberry.field(description="When it happened.")
    summary: str | None = strawberry.field(
        description="What was said or done.", extensions=[Personal()]
    )
    brand_id: str | None = strawberry.field(description="The brand it was about.")
    product_id: str | None = strawberry.field(description="The product it was about.")
    purchase_id: str | None = strawberry.field(description="The purchase it was about.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "RecordedContact":
        return cls(
            contact_id=r["contact_id"] if "contact_id" in r else r["id"],
            customer_id=r.get("customer_id"), kind=RecordedContactKind(r["kind"]),
            channel=r.get("channel"), at=ms_to_datetime(r.get("at")), summary=r.get("summary"),
            brand_id=r.get("brand_id"), product_id=r.get("product_id"),
            purchase_id=r.get("purchase_id"),
        )  # fmt: skip


@strawberry.enum(description="A kind of contact with the customer.")
class ContactKind(Enum):
    PURCHASE = "purchase"
    INTERACTION = "interaction"
    COMPLAINT = "complaint"
    POST = "post"
    # Recorded by apps (recordContact): RecordedContactKind's values.
    CALL = "call"
    EMAIL = "email"
    CHAT = "chat"
    VISIT = "visit"
    PROMOTION_SENT = "promotion_sent"
    PROMOTION_OPENED = "promotion_opened"
    SURVEY_ANSWER = "survey_answer"
    AFTER_SALES = "after_sales"


@strawberry.input(description="Narrow a contact history.")
class ContactFilter:
    kinds: list[ContactKind] | None = strawberry.field(
        default=None, description="Only these kinds of contact (all when omitted)."
    )


@strawberry.type(description="One contact with the customer, on any channel.")
class ContactEvent:
    kind: ContactKind = strawberry.field(description="What kind of contact it was.")
    at: datetime | None = strawberry.field(description="When it happened.")
    channel: str | None = strawberry.field(
        description="Where: a sales channel, a complaint channel or a social platform."
    )
    summary: str = strawberry.field(description="One line saying what happened.")
    purchase: Purchase | None = strawberry.field(description="The purchase, for purchases.")
    interaction: Interaction | None = strawberry.field(
        description="The interaction, for interactions."
    )
    complaint: Complaint | None = strawberry.field(description="The complaint, for complaints.")
    post: Post | None = strawberry.field(description="The post, for the customer's posts.")
    contact: RecordedContact | None = strawberry.field(
        description="The contact, for contacts apps recorded (calls, emails, visits...)."
    )

    @classmethod
    def from_record(cls, r: Record) -> "ContactEvent":
        kind = ContactKind(r["kind"])
        purchase = Purchase.from_record(r["purchase"]) if r.get("purchase") else None
        interaction = Interaction.from_record(r["interaction"]) if r.get("interaction") else None
        complaint = Complaint.from_record(r["complaint"]) if r.get("complaint") else None
        post = Post.from_record(r["post"]) if r.get("post") else None
        contact = RecordedContact.from_record(r["contact"]) if r.get("contact") else None
        return cls(
            kind=kind,
            at=ms_to_datetime(r.get("at")),
            channel=r.get("channel"),
            summary=_summary(kind, r),
            purchase=purchase,
            interaction=interaction,
            complaint=complaint,
            post=post,
            contact=contact,
        )


def _summary(kind: ContactKind, r: Record) -> str:
    if kind is ContactKind.PURCHASE:
        p = r["purchase"]
        brand = (p.get("brand") or {}).get("name") or "an unknown brand"
        return f"Bought {len(p.get('items') or [])} item(s) at {brand} for {p.get('total')} {p.get('currency') or ''}".rstrip()  # noqa: E501
    if kind is ContactKind.INTERACTION:
        i = r["interaction"]
        return f"{(i.get('kind') or 'interacted').capitalize()} on post {i['post']['id']}"
    if kind is ContactKind.COMPLAINT:
        c = r["complaint"]
        return f"Complaint about {c.get('category') or 'something'}, now {c.get('status')}"
    if kind is ContactKind.POST:
        return f"Posted on {r['post'].get('platform') or 'a platform'}"
    # A recorded contact's own summary is free text (personal data): `contact.summary`.
    where = f" on {r['channel']}" if r.get("channel") else ""
    return f"{kind.value.replace('_', ' ').capitalize()}{where}"


@strawberry.type(description="How the customer engages with one brand (docs/api.md).")
class BrandEngagement:
    brand: Brand = strawberry.field(description="The brand.")
    kinds: list[str] = strawberry.field(
        description="How: follow, interaction and/or purchase (ordered by name)."
    )
    follows: bool = strawberry.field(description="One of the customer's accounts follows it.")
    interactions: int = strawberry.field(description="Interactions with the brand's posts.")
    purchases: int = strawberry.field(description="Purchases at the brand.")
    spend: float = strawberry.field(description="Total of those purchases (amounts as given).")
    first_at: datetime | None = strawberry.field(description="First engagement.")
    last_at: datetime | None = strawberry.field(description="Latest engagement.")


def brand_engagements(acts: list[Record]) -> list[BrandEngagement]:
    """Fold the customer's engagement acts into one row per brand, most recent first."""
    by_brand: dict[str, dict[str, Any]] = {}
    for act in acts:
        b = act["brand"]
        row = by_brand.setdefault(
            b["id"], {"brand": b, "kinds": set(), "interaction": 0, "purchase": 0, "spend": 0.0,
                      "ats": []},
        )  # fmt: skip
        row["kinds"].add(act["kind"])
        if act["kind"] in ("interaction", "purchase"):
            row[act["kind"]] += 1
        if act["kind"] == "purchase":
            row["spend"] += act.get("amount") or 0.0
        if act.get("at") is not None:
            row["ats"].append(act["at"])
    out = [
        BrandEngagement(
            brand=Brand.from_record(row["brand"]),
            kinds=sorted(row["kinds"]),
            follows="follow" in row["kinds"],
            interactions=row["interaction"],
            purchases=row["purchase"],
            spend=row["spend"],
            first_at=ms_to_datetime(min(row["ats"])) if row["ats"] else None,
            last_at=ms_to_datetime(max(row["ats"])) if row["ats"] else None,
        )
        for row in by_brand.values()
    ]
    out.sort(key=lambda e: (-(e.last_at.timestamp() if e.last_at else 0), e.brand.brand_id))
    return out
