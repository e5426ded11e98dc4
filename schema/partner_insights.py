"""Partner insights: `partner { insights }`, how a partner's set differs from the
community over a dimension (docs/partner.md, "Insights")."""

import strawberry

from resolvers.partner_insights import Insights
from schema.partner import AudienceDimension
from schema.purpose import Purpose


@strawberry.type(description="One released value: its share in the set against the community.")
class InsightCell:
    value: str = strawberry.field(description="The segment id, region, tag id, content type "
                                  "or brand id.")  # fmt: skip
    name: str | None = strawberry.field(description="Its name, when it has one.")
    count: int = strawberry.field(description="Members of the set with it (as aggregates).")
    share: float = strawberry.field(description="count / setSize.")
    community_share: float = strawberry.field(
        description="Share of the community (unrestricted customers) with it."
    )
    index: float = strawberry.field(
        description="share / communityShare: above 1, the set is over-indexed on it."
    )


@strawberry.type(description="A set against the community over one dimension, thresholded.")
class PartnerInsights:
    dimension: AudienceDimension = strawberry.field(description="What the cells group by.")
    purpose: Purpose = strawberry.field(description="The purpose of the set.")
    set_size: int = strawberry.field(description="Members of the set.")
    community_size: int = strawberry.field(description="Unrestricted customers.")
    min_group_size: int = strawberry.field(description="k, as in aggregates.")
    cells: list[InsightCell] = strawberry.field(description="By index, highest first.")
    suppressed_cells: int = strawberry.field(
        description="Values present in the set but withheld (the rules of aggregates, or "
        "held by fewer than k in the community)."
    )


def insights_of(
    found: Insights, dimension: AudienceDimension, purpose: Purpose, k: int
) -> PartnerInsights:
    return PartnerInsights(
        dimension=dimension, purpose=purpose, set_size=found.set_size,
        community_size=found.community_size, min_group_size=k,
        cells=[
            InsightCell(value=c.value, name=c.name, count=c.count, share=c.share,
                        community_share=c.community_share, index=c.index)
            for c in found.cells
        ],
        suppressed_cells=found.suppressed_cells,
    )  # fmt: skip
