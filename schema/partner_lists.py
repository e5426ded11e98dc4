"""The partner API's list services: `partner { listMatch listMembers listAggregates }`.

A partner uploads a list of its own customers as SHA-256 hashes over HTTP
(hub/partner_lists_http.py) and asks here how many match the community, who of them it
may know (its pseudonyms, consenting customers only) and what they are like (thresholded
aggregates). Rules: docs/partner.md, "Lists".
"""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import partner as pr
from resolvers import partner_insights as pi
from resolvers import partner_lists as pl
from resolvers import partner_lookalikes as pk
from resolvers.context import Context
from resolvers.ids import encode_key_cursor
from schema.base import Connection, Edge, PageInfo
from schema.partner import (
    AggregateCell,
    AudienceDimension,
    PartnerAggregates,
    PartnerApi,
    PartnerMember,
    PurposeArg,
)
from schema.partner_insights import PartnerInsights, insights_of
from schema.partner_lookalikes import PartnerLookalikes, lookalikes_of
from schema.partner_usage import PartnerUsage, usage_of
from schema.purpose import stored_value

ListIdArg = Annotated[
    str,
    strawberry.argument(description="The list's id (pl_...), as the upload returned it."),
]


@strawberry.type(description="A partner list matched against the community's customers.")
class PartnerListMatch:
    list_id: str = strawberry.field(description="The list matched.")
    entries: int = strawberry.field(description="Distinct valid hashes in the list.")
    matched: int | None = strawberry.field(
        description="Customers matched; null when withheld (fewer than the minimum group "
        "size, fewer than that many hashes unmatched, or too close to an earlier release)."
    )
    match_rate: float | None = strawberry.field(
        description="matched / entries, to 4 decimals; null when matched is withheld."
    )
    overlap: int = strawberry.field(
        description="Matched customers in the partner's live audience for the purpose: "
        "the pseudonyms listMembers hands out."
    )
    min_group_size: int = strawberry.field(description="k, as in aggregates.")


@strawberry.type(
    name="PartnerApi",
    description="Shared-audience data for the partner brand of the calling key.",
)
class PartnerServicesApi(PartnerApi):
    @strawberry.field(
        description="Match an uploaded list: counts, withheld under the rules of aggregates."
    )
    async def list_match(
        self, info: Info[Context, None], purpose: PurposeArg, list_id: ListIdArg
    ) -> PartnerListMatch:
        found = await pl.match_list(info.context, stored_value(purpose), list_id)
        return PartnerListMatch(
            list_id=list_id, entries=found.entries, matched=found.matched,
            match_rate=found.match_rate, overlap=found.overlap,
            min_group_size=info.context.privacy.min_group_size,
        )  # fmt: skip

    @strawberry.field(
        description="The matched customers whose consent to sharing with this partner for "
        "the purpose is live now, as the partner's pseudonyms, in pseudonym order."
    )
    async def list_members(
        self, info: Info[Context, None], purpose: PurposeArg, list_id: ListIdArg,
        first: Annotated[int, strawberry.argument(
            description="Page size (at most the server maximum).")] = 20,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the member to start after.")] = None,
    ) -> Connection[PartnerMember]:  # fmt: skip
        page = await pl.list_members(info.context, stored_value(purpose), list_id, first, after)
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
        description="The matched customers with a live consent for the purpose, grouped by "
        "a dimension under the rules and the release ledger of aggregates."
    )
    async def list_aggregates(
        self, info: Info[Context, None], purpose: PurposeArg, list_id: ListIdArg,
        dimension: Annotated[AudienceDimension, strawberry.argument(
            description="What to group by.")],
    ) -> PartnerAggregates:  # fmt: skip
        result = await pl.list_aggregates(
            info.context, stored_value(purpose), list_id, str(dimension.value)
        )
        return PartnerAggregates(
            dimension=dimension,
            purpose=purpose,
            audience_size=result.audience_size,
            min_group_size=info.context.privacy.min_group_size,
            cells=[AggregateCell(value=c.value, name=c.name, count=c.count) for c in result.cells],
            suppressed_cells=result.suppressed_cells,
        )

    @strawberry.field(
        description="How the live audience for the purpose, or a list's consenting matches, "
        "differ from the community over a dimension: released cells with their index."
    )
    async def insights(
        self, info: Info[Context, None], purpose: PurposeArg,
        dimension: Annotated[AudienceDimension, strawberry.argument(
            description="What to group by.")],
        list_id: Annotated[str | None, strawberry.argument(
            description="A list's id: its consenting matches; none: the live audience.")] = None,
    ) -> PartnerInsights:  # fmt: skip
        found = await pi.insights(
            info.context, stored_value(purpose), str(dimension.value), list_id
        )
        return insights_of(found, dimension, purpose, info.context.privacy.min_group_size)

    @strawberry.field(
        description="The community's customers most like the live audience, or a list's "
        "consenting matches: counts per score band, and pseudonyms where consent allows."
    )
    async def lookalikes(
        self, info: Info[Context, None], purpose: PurposeArg,
        list_id: Annotated[str | None, strawberry.argument(
            description="A list's id: its consenting matches; none: the live audience.")] = None,
        min_score: Annotated[float, strawberry.argument(
            description="Members listed score at least this (0 to 1).")] = 0.6,
        first: Annotated[int, strawberry.argument(
            description="Page size of members (at most the server maximum).")] = 20,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the member to start after.")] = None,
    ) -> PartnerLookalikes:  # fmt: skip
        found = await pk.lookalikes(
            info.context, stored_value(purpose), list_id, min_score, first, after
        )
        return lookalikes_of(found, info.context.privacy.min_group_size)

    @strawberry.field(description="This partner's own metered pulls in a period.")
    async def usage(
        self, info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(
            name="from", description="Start of the period (included).")],
        until: Annotated[datetime, strawberry.argument(
            description="End of the period (excluded).")],
    ) -> PartnerUsage:  # fmt: skip
        partner = pr.partner_scope(info.context)
        return await usage_of(info.context, partner, from_, until)


@strawberry.type
class PartnerServiceQueries:
    @strawberry.field(
        description="Shared-audience data for partner keys: the audience, membership checks, "
        "aggregates and list matching, for the key's brand and purposes only."
    )
    def partner(self, info: Info[Context, None]) -> PartnerServicesApi:
        pr.partner_scope(info.context)
        return PartnerServicesApi()
