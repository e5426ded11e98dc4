"""Recommendations for one customer: next products or brands, each with its reasons, or
none and why (docs/recommendations.md)."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import recommend as r
from resolvers.context import Context
from schema.brand import Brand, Product
from schema.network import _value


@strawberry.enum(description="What is recommended.")
class RecommendationKind(Enum):
    PRODUCT = strawberry.enum_value("product", description="Products.")
    BRAND = strawberry.enum_value("brand", description="Brands.")


@strawberry.enum(description="Why a customer gets no recommendations.")
class RecommendationWithheld(Enum):
    RESTRICTED = strawberry.enum_value(
        "restricted", description="The customer's processing is restricted."
    )
    NO_CONSENT = strawberry.enum_value(
        "no_consent",
        description="No consent of the customer is live for the PERSONALISATION purpose.",
    )


@strawberry.enum(description="Which customers a reason's numbers come from.")
class RecommendationSource(Enum):
    PURCHASE = strawberry.enum_value(
        "purchase", description="Customers who bought what the customer bought."
    )
    ENGAGEMENT = strawberry.enum_value(
        "engagement", description="Customers who engage with the brands the customer engages with."
    )
    TAG = strawberry.enum_value(
        "tag", description="Customers who carry one of the customer's tags."
    )


@strawberry.type(description="Why an item is recommended: one source's strongest peer group.")
class RecommendationReason:
    source: RecommendationSource = strawberry.field(description="The kind of peers.")
    score: float = strawberry.field(description="What this source adds to the item's score.")
    via: str | None = strawberry.field(
        description="The product, brand or tag key the peers share with the customer "
        "(null for ENGAGEMENT)."
    )
    customers: int = strawberry.field(description="Peers in that group who bought the item.")
    peers: int = strawberry.field(description="Customers in that group.")
    text: str = strawberry.field(description="The reason in words.")


@strawberry.type(description="A recommended product or brand.")
class Recommendation:
    product: Product | None = strawberry.field(description="The product (kind PRODUCT).")
    brand: Brand | None = strawberry.field(
        description="The brand (kind BRAND), or the product's brand."
    )
    score: float = strawberry.field(
        description="Sum over sources of weight x the share of each peer group who bought it."
    )
    reasons: list[RecommendationReason] = strawberry.field(description="Strongest first.")


@strawberry.type(description="Recommendations for one customer, or why there are none.")
class Recommendations:
    customer_id: str = strawberry.field(description="The customer's key.")
    withheld: RecommendationWithheld | None = strawberry.field(
        description="Why nothing may be recommended; null when recommendations were computed."
    )
    items: list[Recommendation] = strawberry.field(description="Best first.")


def _item(kind: str, found: r.Recommended) -> Recommendation:
    product = Product.from_record(found.item) if kind == "product" else None
    brand = found.item if kind == "brand" else found.item.get("brand")
    return Recommendation(
        product=product,
        brand=Brand.from_record(brand) if brand else None,
        score=found.score,
        reasons=[
            RecommendationReason(
                source=RecommendationSource(x.source), score=x.score, via=x.via,
                customers=x.customers, peers=x.peers, text=x.text,
            )
            for x in found.reasons
        ],
    )  # fmt: skip


@strawberry.type
class RecommendationQueries:
    @strawberry.field(
        description="Next products or brands for one customer, from what similar customers "
        "bought, each with reasons; none for a restricted customer or one without a live "
        "PERSONALISATION consent, and only items of brands holding such a consent."
    )
    async def recommendations(
        self, info: Info[Context, None],
        customer_id: Annotated[strawberry.ID, strawberry.argument(
            description="Customer global id or key.")],
        kind: Annotated[RecommendationKind, strawberry.argument(
            description="Products or brands.")] = RecommendationKind.PRODUCT,
        first: Annotated[int, strawberry.argument(
            description=f"How many (1..{r.MAX_FIRST}).")] = 10,
        exclude_purchased: Annotated[bool, strawberry.argument(
            description="Leave out what the customer already bought.")] = True,
    ) -> Recommendations:  # fmt: skip
        what = _value(kind)
        found = await r.recommendations(info.context, customer_id, what, first, exclude_purchased)
        return Recommendations(
            customer_id=found.customer_id,
            withheld=RecommendationWithheld(found.withheld) if found.withheld else None,
            items=[_item(what, x) for x in found.items],
        )
