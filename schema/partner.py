"""The partner API: `partner { audience members aggregates }`, for partner keys only.

A partner sees the customers who consented to sharing with it for a purpose, as
pseudonyms of its own, and aggregates of them that never single anyone out. Rules and
threat model: docs/partner.md.
"""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import partner as pr
from resolvers.context import Context
from resolvers.ids import encode_key_cursor
from schema.base import Connection, Edge, PageInfo
from schema.purpose import Purpose


@strawberry.enum(description="What partner aggregates group the audience by (docs/partner.md).")
class AudienceDimension(Enum):
    SEGMENT = strawberry.enum_value(
        "segment", description="Marketing segments (a customer may be in several)."
    )
    REGION = strawberry.enum_value("region", description="The customer's region (one at most).")
    TAG = strawberry.enum_value("tag", description="Tags on the customer (interests...).")
    CONTENT_PREFERENCE = strawberry.enum_value(
        "content_preference",
        description="Content types of the posts the customer's accounts interacted with.",
    )
    CONSENTING_BRAND = strawberry.enum_value(
        "consenting_brand",
        description="Other brands the customer also consented to for the same purpose.",
    )
    ENGAGED_BRAND = strawberry.enum_value(
        "engaged_brand",
        description="Other brands the customer engaged with: its accounts follow them or "
        "interacted with their posts, or it bought from them.",
    )


@strawberry.type(description="A customer in the partner's audience, known only by pseudonym.")
class PartnerMember:
    id: strawberry.ID = strawberry.field(
        description="The partner's pseudonym of the customer: stable for this partner until "
        "its key is rotated, unrelated to any other partner's."
    )


@strawberry.type(description="One released value of a dimension and its audience members.")
class AggregateCell:
    value: str = strawberry.field(
        description="The segment id, region, tag id, content type or brand id."
    )
    name: str | None = strawberry.field(
        description="The segment's, tag's or brand's name (the region itself for REGION)."
    )
    count: int = strawberry.field(
        description="Audience members with the value; may repeat an earlier released count "
        "when the members changed by fewer than the minimum group size."
    )


@strawberry.type(description="The audience grouped by one dimension, small groups withheld.")
class PartnerAggregates:
    dimension: AudienceDimension = strawberry.field(description="What the cells group by.")
    purpose: Purpose = strawberry.field(description="The purpose of the audience.")
    audience_size: int = strawberry.field(description="Members of the live audience.")
    min_group_size: int = strawberry.field(
        description="k: no cell below k or above audienceSize - k is released."
    )
    cells: list[AggregateCell] = strawberry.field(
        description="The released cells, by value. Members without a value are in none."
    )
    suppressed_cells: int = strawberry.field(
        description="How many values present in the audience were withheld (not which)."
    )


def _value(choice: Enum) -> str:
    return str(choice.value)


PurposeArg = Annotated[
    Purpose, strawberry.argument(description="The purpose to act for; the key must hold it.")
]


@strawberry.type(description="Shared-audience data for the partner brand of the calling key.")
class PartnerApi:
    @strawberry.field(
        description="The live audience for the purpose: customers whose consent to sharing "
        "with this partner for it is live now, as pseudonyms, in pseudonym order."
    )
    async def audience(
        self, info: Info[Context, None], purpose: PurposeArg,
        first: Annotated[int, strawberry.argument(
            description="Page size (at most the server maximum).")] = 20,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the member to start after.")] = None,
    ) -> Connection[PartnerMember]:  # fmt: skip
        page = await pr.audience(info.context, _value(purpose), first, after)
        edges = [
            Edge(
                cursor=encode_key_cursor(pr.AUDIENCE_CURSOR, (p,)),
                node=PartnerMember(id=strawberry.ID(p)),
            )
            for p in page.ids
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], page.has_next, page.has_previous),
            total_count=page.total,
        )

    @strawberry.field(
        description="Which of these pseudonyms are in the live audience now, in the order "
        "given; the others (withdrawn, erased, unknown) are left out."
    )
    async def members(
        self, info: Info[Context, None], purpose: PurposeArg,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description=f"Pseudonyms, at most {pr.MAX_MEMBER_IDS}.")],
    ) -> list[PartnerMember]:  # fmt: skip
        found = await pr.members(info.context, _value(purpose), [str(i) for i in ids])
        return [PartnerMember(id=strawberry.ID(p)) for p in found]

    @strawberry.field(
        description="The audience grouped by a dimension; cells smaller than the minimum "
        "group size, or that would single someone out, are withheld (docs/partner.md)."
    )
    async def aggregates(
        self, info: Info[Context, None], purpose: PurposeArg,
        dimension: Annotated[AudienceDimension, strawberry.argument(
            description="What to group by.")],
    ) -> PartnerAggregates:  # fmt: skip
        result = await pr.aggregates(info.context, _value(purpose), _value(dimension))
        return PartnerAggregates(
            dimension=dimension,
            purpose=purpose,
            audience_size=result.audience_size,
            min_group_size=info.context.privacy.min_group_size,
            cells=[AggregateCell(value=c.value, name=c.name, count=c.count) for c in result.cells],
            suppressed_cells=result.suppressed_cells,
        )


@strawberry.type
class PartnerQueries:
    @strawberry.field(
        description="Shared-audience data for partner keys: the audience, membership checks "
        "and aggregates, for the key's brand and purposes only."
    )
    def partner(self, info: Info[Context, None]) -> PartnerApi:
        pr.partner_scope(info.context)
        return PartnerApi()
