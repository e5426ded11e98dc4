"""Saved rule-based audiences (docs/audiences.md): preview, save, refresh, and their
history: size over time, who entered or left, period-over-period comparison."""

import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import audiences
from resolvers.context import Context
from resolvers.selection import time_range, to_epoch_ms
from schema.base import ms_to_datetime
from schema.rules import CustomerRule, rule_data


@strawberry.enum(description="What a period comparison breaks an audience down by.")
class AudienceBreakdown(Enum):
    REGION = strawberry.enum_value("region", description="Share of members in each region.")
    CONTENT_TYPE = strawberry.enum_value(
        "content_type",
        description="Share of members who interacted with posts of each content type.",
    )
    REGION_CONTENT_TYPE = strawberry.enum_value(
        "region_content_type",
        description="In each region, the share of its members who interacted with posts "
        "of each content type.",
    )


@strawberry.input(description="A period: from (inclusive) until (exclusive); both required.")
class Period:
    from_: datetime = strawberry.field(name="from", description="Start.")
    until: datetime = strawberry.field(description="End (exclusive).")


@strawberry.input(description="An audience to save.")
class AudienceInput:
    audience_id: str = strawberry.field(description="Its id: 1-64 of a-z, 0-9, _ and -.")
    name: str = strawberry.field(description="Its name.")
    description: str | None = strawberry.field(default=None, description="What it is for.")
    rule: CustomerRule = strawberry.field(description="Who is in it.")


@strawberry.type(description="How many customers a rule selects now, and a few of them.")
class AudiencePreview:
    size: int = strawberry.field(description="Customers selected now.")
    sample: list[str] = strawberry.field(description="The first ids, by id.")


@strawberry.type(description="The audience's size at one moment.")
class AudienceSize:
    at: datetime = strawberry.field(description="The moment.")
    size: int = strawberry.field(description="Members then.")


@strawberry.type(description="A membership spell that began or ended in the period asked.")
class AudienceChange:
    customer_id: str = strawberry.field(description="The customer.")
    entered_at: datetime = strawberry.field(description="When the spell began.")
    exited_at: datetime | None = strawberry.field(description="When it ended (null: a member).")


@strawberry.type(description="What a refresh changed.")
class AudienceRefresh:
    entered: int = strawberry.field(description="Customers who entered.")
    exited: int = strawberry.field(description="Customers who left.")


@strawberry.type(
    description="One cell of a breakdown in two periods: `k` of `n` members in each, "
    "B's share minus A's, and a pooled two-proportion z-test (two-sided)."
)
class BreakdownCell:
    group: str = strawberry.field(description="The region ('' when not broken by region).")
    content_type: str = strawberry.field(description="The content type ('' when not).")
    n_a: int = strawberry.field(description="Population in period A.")
    k_a: int = strawberry.field(description="Of them, in the cell.")
    share_a: float | None = strawberry.field(description="k_a / n_a.")
    n_b: int = strawberry.field(description="Population in period B.")
    k_b: int = strawberry.field(description="Of them, in the cell.")
    share_b: float | None = strawberry.field(description="k_b / n_b.")
    delta: float | None = strawberry.field(description="share_b - share_a.")
    z: float | None = strawberry.field(description="The z statistic (null: no variance).")
    p_value: float | None = strawberry.field(description="Two-sided p-value.")
    significant: bool = strawberry.field(description="p-value below 0.05.")

    @classmethod
    def of(cls, c: audiences.Cell) -> "BreakdownCell":
        t = c.test
        return cls(
            group=c.group, content_type=c.sub, n_a=c.n_a, k_a=c.k_a, share_a=t.share_a,
            n_b=c.n_b, k_b=c.k_b, share_b=t.share_b, delta=t.delta, z=t.z,
            p_value=t.p_value, significant=c.significant,
        )  # fmt: skip


@strawberry.type(description="A saved rule-based audience with its membership history.")
class Audience:
    audience_id: str = strawberry.field(description="Its id.")
    name: str = strawberry.field(description="Its name.")
    description: str | None = strawberry.field(description="What it is for.")
    owner: str | None = strawberry.field(description="Who saved it first.")
    rule: strawberry.scalars.JSON = strawberry.field(description="Its rule, as saved.")
    refreshed_at: datetime | None = strawberry.field(description="Last membership refresh.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "Audience":
        return cls(
            audience_id=r["id"], name=r["name"], description=r.get("description"),
            owner=r.get("owner"), rule=json.loads(r["rule"]),
            refreshed_at=ms_to_datetime(r.get("refreshed_at")),
        )  # fmt: skip

    @strawberry.field(description="Its size at each of these moments.")
    async def sizes(
        self,
        info: Info[Context, None],
        at: Annotated[list[datetime], strawberry.argument(description="1..366 moments.")],
    ) -> list[AudienceSize]:
        points = [to_epoch_ms(t, "at") for t in at]
        rows = await audiences.sizes(info.context, self.audience_id, points)
        return [AudienceSize(at=_time(r["at"]), size=int(r["size"])) for r in rows]

    @strawberry.field(
        description="Who entered or left in [from, until), newest first (1000 at most)."
    )
    async def changes(
        self,
        info: Info[Context, None],
        period: Annotated[Period, strawberry.argument(description="The period.")],
    ) -> list[AudienceChange]:
        start, end = _period(period, "period")
        rows = await audiences.changes(info.context, self.audience_id, start, end)
        return [
            AudienceChange(
                customer_id=r["id"],
                entered_at=_time(r["entered_at"]),
                exited_at=ms_to_datetime(r["exited_at"]),
            )
            for r in rows
        ]

    @strawberry.field(
        description="A breakdown of the members of period A and of period B, cell by cell, "
        "with the delta and a two-proportion z-test."
    )
    async def compare(
        self,
        info: Info[Context, None],
        by: Annotated[AudienceBreakdown, strawberry.argument(description="The breakdown.")],
        a: Annotated[Period, strawberry.argument(description="Period A (before).")],
        b: Annotated[Period, strawberry.argument(description="Period B (after).")],
    ) -> list[BreakdownCell]:
        cells = await audiences.compare(
            info.context, self.audience_id, str(by.value), _period(a, "a"), _period(b, "b")
        )
        return [BreakdownCell.of(c) for c in cells]


def _time(ms: Any) -> datetime:
    at = ms_to_datetime(ms)
    assert at is not None  # the statements return times that are set
    return at


def _period(p: Period, argument: str) -> tuple[int, int]:
    start, end = time_range({"from": p.from_, "until": p.until}, argument)
    assert start is not None and end is not None  # both are required by the schema
    return start, end


@strawberry.type
class AudienceQueries:
    @strawberry.field(description="How many customers a rule selects now, and a sample.")
    async def audience_preview(
        self,
        info: Info[Context, None],
        rule: Annotated[CustomerRule, strawberry.argument(description="The rule.")],
        sample: Annotated[int, strawberry.argument(description="0..50 ids.")] = 10,
    ) -> AudiencePreview:
        size, ids = await audiences.preview(info.context, rule_data(rule, "rule"), sample)
        return AudiencePreview(size=size, sample=ids)

    @strawberry.field(description="Saved audiences, by id.")
    async def audiences(self, info: Info[Context, None]) -> list[Audience]:
        return [Audience.from_record(r) for r in await audiences.records(info.context)]

    @strawberry.field(description="One saved audience. NOT_FOUND when there is none.")
    async def audience(
        self,
        info: Info[Context, None],
        audience_id: Annotated[str, strawberry.argument(description="Its id.")],
    ) -> Audience:
        return Audience.from_record(await audiences.record(info.context, audience_id))


@strawberry.type
class AudienceMutations:
    @strawberry.field(
        description="Save (or replace) an audience and materialise its membership now."
    )
    async def save_audience(
        self,
        info: Info[Context, None],
        input: Annotated[AudienceInput, strawberry.argument(description="The audience.")],
    ) -> Audience:
        record = await audiences.save(
            info.context, input.audience_id, input.name, input.description,
            rule_data(input.rule, "input.rule"),
        )  # fmt: skip
        return Audience.from_record(record)

    @strawberry.field(description="Bring an audience's membership up to its rule now.")
    async def refresh_audience(
        self,
        info: Info[Context, None],
        audience_id: Annotated[str, strawberry.argument(description="Its id.")],
    ) -> AudienceRefresh:
        counts = await audiences.refresh(info.context, audience_id)
        return AudienceRefresh(entered=counts.entered, exited=counts.exited)
