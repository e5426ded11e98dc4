"""Partner lookalikes: `partner { lookalikes }` (docs/partner.md, "Lookalikes")."""

import strawberry

from resolvers import partner as pr
from resolvers.ids import encode_key_cursor
from resolvers.partner_lookalikes import Lookalikes
from schema.base import Connection, Edge, PageInfo
from schema.partner import PartnerMember


@strawberry.type(description="Candidates whose score falls in one band, if released.")
class LookalikeBand:
    band: str = strawberry.field(description="The score band, e.g. 0.8-1.0 (low included).")
    count: int = strawberry.field(description="Candidates in it (the rules of aggregates).")


@strawberry.type(description="The community's customers most like a seed set.")
class PartnerLookalikes:
    seed_size: int = strawberry.field(description="Members of the seed set.")
    candidates: int = strawberry.field(description="Unrestricted customers outside the seed.")
    min_group_size: int = strawberry.field(description="k, as in aggregates.")
    bands: list[LookalikeBand] = strawberry.field(description="Released bands, by band.")
    suppressed_bands: int = strawberry.field(description="Bands with candidates, withheld.")
    members: Connection[PartnerMember] = strawberry.field(
        description="Candidates scoring at least minScore whose consent to sharing with "
        "this partner for the purpose is live, as pseudonyms, in pseudonym order."
    )


def lookalikes_of(found: Lookalikes, k: int) -> PartnerLookalikes:
    edges = [
        Edge(
            cursor=encode_key_cursor(pr.AUDIENCE_CURSOR, (p,)),
            node=PartnerMember(id=strawberry.ID(p)),
        )
        for p in found.members.ids
    ]
    members = Connection(
        edges=edges,
        page_info=PageInfo.of(
            [e.cursor for e in edges], found.members.has_next, found.members.has_previous
        ),
        total_count=found.members.total,
    )
    return PartnerLookalikes(
        seed_size=found.seed_size, candidates=found.candidates, min_group_size=k,
        bands=[LookalikeBand(band=c.value, count=c.count) for c in found.bands],
        suppressed_bands=found.suppressed_bands, members=members,
    )  # fmt: skip
