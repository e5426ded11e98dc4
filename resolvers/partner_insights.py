"""Partner insights: how a partner's consented audience, or a matched list's consenting
members, differ from the whole community over a dimension (docs/partner.md, "Insights").

index = (share of the set with the value) / (share of the community with it). The set's
counts are the released cells of `aggregates` / `listAggregates` (every rule, the same
ledger); a value held by fewer than k in the community gets no index.
"""

from dataclasses import dataclass

from graph import partner_insights as q
from resolvers import partner_lists as pl
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.partner import aggregates


@dataclass(frozen=True)
class InsightCell:
    value: str
    name: str | None
    count: int
    share: float
    community_share: float
    index: float


@dataclass(frozen=True)
class Insights:
    set_size: int
    community_size: int
    cells: list[InsightCell]  # by index, highest first
    suppressed_cells: int


async def insights(ctx: Context, purpose: str, dimension: str, list_id: str | None) -> Insights:
    """The released cells of the set (the live audience, or the list's consenting
    matches) with their index against the community, highest first. Raises as
    `aggregates` / `listAggregates` do."""
    if list_id is None:
        found = await aggregates(ctx, purpose, dimension)
    else:
        found = await pl.list_aggregates(ctx, purpose, list_id, dimension)
    partner = ctx.principal.partner_brand_id
    rows = await ctx.store.read(
        q.COMMUNITY_COUNTS[dimension],
        {"partner": partner, "purpose": purpose, "now": now_ms()},
    )
    community = int(rows[0]["audience"]) if rows else 0
    overall = {str(c["value"]): int(c["n"]) for c in (rows[0]["cells"] if rows else []) if c}
    k = ctx.privacy.min_group_size
    cells = []
    suppressed = found.suppressed_cells
    for cell in found.cells:
        n = overall.get(cell.value, 0)
        if n < k or found.audience_size == 0:
            suppressed += 1
            continue
        share, community_share = cell.count / found.audience_size, n / community
        cells.append(
            InsightCell(
                cell.value,
                cell.name,
                cell.count,
                round(share, 4),
                round(community_share, 4),
                round(share / community_share, 3),
            )
        )
    cells.sort(key=lambda c: (-c.index, c.value))
    return Insights(found.audience_size, community, cells, suppressed)
