"""Loyalty programmes (docs/audiences.md): ordered tiers, each a saved audience; every
customer holds the first tier whose audience holds them, with the history of changes."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import loyalty
from resolvers.context import Context
from schema.base import ms_to_datetime


@strawberry.input(description="A loyalty programme to save.")
class LoyaltyProgramInput:
    program_id: str = strawberry.field(description="Its id: 1-64 of a-z, 0-9, _ and -.")
    name: str = strawberry.field(description="Its name.")
    tiers: list[str] = strawberry.field(
        description="Saved audience ids, best tier first (1..10): a customer holds the "
        "first one whose audience holds them."
    )


@strawberry.type(description="A loyalty programme: ordered tiers, each a saved audience.")
class LoyaltyProgram:
    program_id: str = strawberry.field(description="Its id.")
    name: str = strawberry.field(description="Its name.")
    tiers: list[str] = strawberry.field(description="Its tiers' audience ids, best first.")
    owner: str | None = strawberry.field(description="Who saved it first.")
    refreshed_at: datetime | None = strawberry.field(description="Last tier assignment.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "LoyaltyProgram":
        return cls(
            program_id=r["id"], name=r["name"], tiers=list(r["tiers"]), owner=r.get("owner"),
            refreshed_at=ms_to_datetime(r.get("refreshed_at")),
        )  # fmt: skip


@strawberry.type(description="A customer's spell in one tier of a loyalty programme.")
class CustomerTier:
    program_id: str = strawberry.field(description="The programme.")
    tier: str = strawberry.field(description="The tier (its audience id).")
    since: datetime | None = strawberry.field(description="When the customer entered it.")
    until: datetime | None = strawberry.field(description="When they left (null: holds it).")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "CustomerTier":
        return cls(program_id=r["program"], tier=r["tier"], since=ms_to_datetime(r["since"]),
                   until=ms_to_datetime(r.get("until")))  # fmt: skip


@strawberry.type(description="What a tier refresh changed.")
class TierRefresh:
    closed: int = strawberry.field(description="Tier spells ended (customers moved or left).")
    opened: int = strawberry.field(description="Tier spells begun (customers moved or came).")


@strawberry.type
class LoyaltyQueries:
    @strawberry.field(description="Loyalty programmes, by id.")
    async def loyalty_programs(self, info: Info[Context, None]) -> list[LoyaltyProgram]:
        return [LoyaltyProgram.from_record(r) for r in await loyalty.records(info.context)]

    @strawberry.field(description="One loyalty programme. NOT_FOUND when there is none.")
    async def loyalty_program(
        self,
        info: Info[Context, None],
        program_id: Annotated[str, strawberry.argument(description="Its id.")],
    ) -> LoyaltyProgram:
        return LoyaltyProgram.from_record(await loyalty.record(info.context, program_id))


@strawberry.type
class LoyaltyMutations:
    @strawberry.field(
        description="Save (or replace) a loyalty programme and assign tiers now. "
        "BAD_USER_INPUT for a tier that is not a saved audience."
    )
    async def save_loyalty_program(
        self,
        info: Info[Context, None],
        input: Annotated[LoyaltyProgramInput, strawberry.argument(description="It.")],
    ) -> LoyaltyProgram:
        r = await loyalty.save(info.context, input.program_id, input.name, input.tiers)
        return LoyaltyProgram.from_record(r)

    @strawberry.field(
        description="Refresh a programme's tier audiences, then move customers between tiers."
    )
    async def refresh_loyalty_program(
        self,
        info: Info[Context, None],
        program_id: Annotated[str, strawberry.argument(description="Its id.")],
    ) -> TierRefresh:
        changes = await loyalty.refresh(info.context, program_id)
        return TierRefresh(closed=changes.closed, opened=changes.opened)
