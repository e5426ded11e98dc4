"""Partner metering: `partnerUsage` (admins, any partner) and `partner { usage }` (a
partner, its own): pulls, rows and cells released and lists matched in a period, per
operation (docs/partner.md, "Metering and quotas")."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import partner_usage as pu
from resolvers.context import Context
from resolvers.selection import to_epoch_ms

UntilArg = Annotated[datetime, strawberry.argument(description="End of the period (excluded).")]


@strawberry.type(description="A partner's pulls of one operation in a period.")
class OperationUsage:
    operation: str = strawberry.field(description="The published operation's name.")
    requests: int = strawberry.field(description="Pulls.")
    rows: int = strawberry.field(description="Pseudonyms handed out.")
    cells: int = strawberry.field(description="Counts released (cells and match counts).")
    lists_matched: int = strawberry.field(description="List matches.")


@strawberry.type(description="What a partner pulled in a period: what it is invoiced for.")
class PartnerUsage:
    partner_id: str = strawberry.field(description="The partner's brand id.")
    requests: int = strawberry.field(description="Pulls, all operations.")
    rows: int = strawberry.field(description="Pseudonyms handed out, all operations.")
    cells: int = strawberry.field(description="Counts released, all operations.")
    lists_matched: int = strawberry.field(description="List matches, all operations.")
    operations: list[OperationUsage] = strawberry.field(description="Per operation, by name.")


async def usage_of(ctx: Context, partner: str, from_: datetime, until: datetime) -> PartnerUsage:
    """The partner's usage in [from_, until). Raises BAD_USER_INPUT for a bad period."""
    found = await pu.partner_usage(
        ctx.store, partner, to_epoch_ms(from_, "from"), to_epoch_ms(until, "until")
    )
    operations = [
        OperationUsage(
            operation=u.operation,
            requests=u.requests,
            rows=u.rows,
            cells=u.cells,
            lists_matched=u.lists,
        )
        for u in found
    ]
    return PartnerUsage(
        partner_id=partner,
        requests=sum(u.requests for u in found),
        rows=sum(u.rows for u in found),
        cells=sum(u.cells for u in found),
        lists_matched=sum(u.lists for u in found),
        operations=operations,
    )


@strawberry.type
class PartnerUsageQueries:
    @strawberry.field(description="A partner's metered pulls in a period (admins).")
    async def partner_usage(
        self,
        info: Info[Context, None],
        partner_id: Annotated[strawberry.ID, strawberry.argument(description="The brand id.")],
        from_: Annotated[
            datetime, strawberry.argument(name="from", description="Start (included).")
        ],
        until: UntilArg,
    ) -> PartnerUsage:
        info.context.audit.note("partner_usage")
        return await usage_of(info.context, str(partner_id), from_, until)
